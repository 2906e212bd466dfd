package dev.gangway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of what the operator judges about a spec the CRD schema let through: random GPU
 * quantities (fractions, suffixes, garbage), ports, volumes, checkpoint and topology fields. Each
 * spec is valid or gets problems that name a spec field (the job's InvalidSpec condition); no
 * exception escapes, which would leave the job retrying instead of saying what is wrong.
 */
class SpecValidatorFuzzTest {
  private static final int SPECS = 5_000;
  private static final long SEED = Long.getLong("gangway.fuzz.seed", 20261202L);
  /** Well-formed quantities only: the API server refuses any other at apply time. */
  private static final String[] QUANTITIES = {"0", "1", "8", "-1", "1.5", "1Ki", "2M", "1e3", "0.001", "100000000000", "9Ei", "500m"};
  private static final String[] NAMES = {"block", "rack", "host", "nvlink-domain", "", "ünïcode", "a".repeat(300), "default"};

  @Test
  void everySpecIsValidOrToldWhichFieldIsWrong() {
    Random random = new Random(SEED);
    int valid = 0;
    int invalid = 0;
    List<String> escaped = new ArrayList<>();
    for (int i = 0; i < SPECS; i++) {
      TrainingJobSpec spec = randomSpec(random);
      try {
        List<String> problems = SpecValidator.validate(spec, List.of());
        if (problems.isEmpty()) {
          valid++;
        } else {
          invalid++;
          assertThat(problems).allSatisfy(p -> assertThat(p).contains("spec."));
        }
      } catch (RuntimeException e) {
        escaped.add(e + " <- " + spec);
      }
    }
    System.out.printf("[fuzz] TrainingJob specs: seed %d, tried %d, valid %d, refused with a reason %d, escaped %d%n", SEED, SPECS, valid,
        invalid, escaped.size());
    assertThat(escaped).as("exceptions (seed %d)", SEED).isEmpty();
    assertThat(valid).isPositive();
    assertThat(invalid).isPositive();
  }

  private static TrainingJobSpec randomSpec(Random random) {
    TrainingJobSpec spec = TestJobs.job("fuzz", 1 + random.nextInt(64), random.nextInt(9)).getSpec();
    List<Container> containers = spec.getTemplate().getSpec().getContainers();
    switch (random.nextInt(8)) {
      case 0 -> spec.getTemplate().getSpec().setContainers(random.nextBoolean() ? null : new ArrayList<>());
      case 1 -> spec.setTemplate(random.nextBoolean() ? null : new io.fabric8.kubernetes.api.model.PodTemplateSpec());
      default -> {
      }
    }
    if (containers != null && !containers.isEmpty() && random.nextBoolean()) {
      String q = QUANTITIES[random.nextInt(QUANTITIES.length)];
      ResourceRequirements resources = new ResourceRequirements();
      resources.setLimits(Map.of("nvidia.com/gpu", new Quantity(q)));
      if (random.nextBoolean()) {
        resources.setRequests(Map.of("nvidia.com/gpu", new Quantity(QUANTITIES[random.nextInt(QUANTITIES.length)])));
      }
      containers.get(0).setResources(resources);
    }
    if (containers != null && containers.size() > 1 && random.nextBoolean()) {
      containers.get(1).setPorts(List.of(new ContainerPort(random.nextBoolean() ? 29500 : random.nextInt(70000) - 1000, null, null, null, "TCP")));
    }
    if (random.nextInt(3) == 0) {
      CheckpointSpec checkpoint = new CheckpointSpec();
      checkpoint.setVolumeName(random.nextBoolean() ? null : NAMES[random.nextInt(NAMES.length)]);
      checkpoint.setMountPath("/ckpt");
      spec.setCheckpoint(checkpoint);
    }
    if (random.nextInt(3) == 0) {
      TopologySpec topology = new TopologySpec();
      topology.setRequired(random.nextBoolean() ? null : NAMES[random.nextInt(NAMES.length)]);
      topology.setPreferred(random.nextBoolean() ? null : NAMES[random.nextInt(NAMES.length)]);
      topology.setTopologyName(random.nextBoolean() ? null : NAMES[random.nextInt(NAMES.length)]);
      spec.setTopology(topology);
    }
    return spec;
  }
}
