package dev.gangway.operator.monitoring;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The Java Operator SDK's own metrics of the reconcile loop ({@code reconciliations_*}, {@code events_received_total},
 * {@code custom_resources}), recorded in the operator's Micrometer registry. The extension's default provider hands the
 * SDK a no-op until Micrometer binds it: the packaged operator served none of these series (PrometheusE2eTest), though
 * the test profile did. Built here from the registry itself, they do not depend on that order. Not per resource:
 * a series per job would grow with the cluster.
 */
public class ReconcileMetrics {

  @Produces
  @Singleton
  Metrics operatorSdkMetrics(MeterRegistry registry) {
    return MicrometerMetricsV2.newBuilder(registry).build();
  }
}
