package dev.gangway.cache;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a stored TrainingJob that has a field the operator's classes cannot hold (a number above its Java type's range,
 * stored before the CRD gave every integer one) without that field, and notes what was left out in the annotation
 * {@link #ANNOTATION} of the object read, so the job's own reconcile fails it with the field's name.
 *
 * <p>Without this one such object fails every list of TrainingJobs: the informer stops, the operator exits (so the
 * Lease passes on), and the next replica fails the same list, so one tenant's object stops Gangway for every namespace.
 * Only the object read in memory carries the annotation: Gangway writes a job's status only, through its status
 * subresource, which keeps the stored metadata.
 */
public final class UnreadableJobFields extends SimpleModule {
  /** In memory only: the fields left out when the job was read, each with why ({@code path: reason}, one per line). */
  public static final String ANNOTATION = "gangway.dev/unreadable-fields";
  /** A bound on the fields dropped from one object: past it the object is given up on, as before. */
  private static final int MOST_DROPPED = 16;
  private static final String OVERFLOW = "Overflow: ";

  public UnreadableJobFields() {
    super("gangway-unreadable-job-fields");
    setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                                                    JsonDeserializer<?> deserializer) {
        return description.getBeanClass() == TrainingJob.class ? new FieldDropping(deserializer) : deserializer;
      }
    });
  }

  /** The fields left out when {@code job} was read ({@code path: reason}), empty when it was read whole. */
  public static List<String> of(TrainingJob job) {
    Map<String, String> annotations = job.getMetadata() == null ? null : job.getMetadata().getAnnotations();
    String noted = annotations == null ? null : annotations.get(ANNOTATION);
    return noted == null || noted.isBlank() ? List.of() : List.of(noted.split("\n"));
  }

  /** Reads the object as it is; when that fails on a field the failure names, reads it again without that field. */
  static final class FieldDropping extends DelegatingDeserializer {
    FieldDropping(JsonDeserializer<?> whole) {
      super(whole);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> whole) {
      return new FieldDropping(whole);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      TokenBuffer buffered = ctxt.bufferAsCopyOfValue(p);
      try {
        return read(buffered.asParser(p.getCodec()), ctxt);
      } catch (JsonMappingException first) {
        JsonNode tree = ctxt.readTree(buffered.asParser(p.getCodec()));
        if (!(tree instanceof ObjectNode object)) {
          throw first;
        }
        return readDropping(object, first, p.getCodec(), ctxt);
      }
    }

    private Object read(JsonParser parser, DeserializationContext ctxt) throws IOException {
      parser.nextToken();
      return _delegatee.deserialize(parser, ctxt);
    }

    private Object readDropping(ObjectNode object, JsonMappingException first, ObjectCodec codec, DeserializationContext ctxt)
        throws IOException {
      Map<String, String> dropped = new LinkedHashMap<>();
      JsonMappingException failure = first;
      while (dropped.size() < MOST_DROPPED) {
        String path = drop(object, failure.getPath());
        if (path == null) {
          throw first;
        }
        dropped.put(path, reason(failure));
        try {
          Object job = read(object.traverse(codec), ctxt);
          note((TrainingJob) job, dropped);
          return job;
        } catch (JsonMappingException next) {
          failure = next;
        }
      }
      throw first;
    }

    /** Removes the field the reference chain ends at; its path as {@code spec.a.b[2].c}, or null if it names none. */
    private static String drop(ObjectNode root, List<JsonMappingException.Reference> chain) {
      JsonNode at = root;
      StringBuilder path = new StringBuilder();
      // The chain starts at the TrainingJob: this reader caught the failure before any list or event around it did.
      // Only the spec and the status lose fields: without its metadata, kind or apiVersion the object is no job at all.
      String top = chain.isEmpty() ? null : chain.get(0).getFieldName();
      if (!"spec".equals(top) && !"status".equals(top)) {
        return null;
      }
      for (int i = 0; i < chain.size(); i++) {
        JsonMappingException.Reference step = chain.get(i);
        boolean last = i == chain.size() - 1;
        if (step.getFieldName() != null && at instanceof ObjectNode o && o.has(step.getFieldName())) {
          path.append(path.isEmpty() ? "" : ".").append(step.getFieldName());
          if (last) {
            o.remove(step.getFieldName());
            return path.toString();
          }
          at = o.get(step.getFieldName());
        } else if (step.getIndex() >= 0 && at instanceof ArrayNode a && step.getIndex() < a.size()) {
          path.append('[').append(step.getIndex()).append(']');
          if (last) {
            a.remove(step.getIndex());
            return path.toString();
          }
          at = a.get(step.getIndex());
        } else {
          return null;
        }
      }
      return null;
    }

    private static String reason(JacksonException e) {
      String message = Optional.ofNullable(e.getOriginalMessage()).orElse(e.getClass().getSimpleName());
      // Jackson's words for an overflow start with how it tried ("from String"), misleading for a JSON number: keep the rest.
      int overflow = message.indexOf(OVERFLOW);
      String why = overflow < 0 ? message : message.substring(overflow + OVERFLOW.length());
      int cut = why.indexOf('\n');
      return (cut < 0 ? why : why.substring(0, cut)).strip();
    }

    private static void note(TrainingJob job, Map<String, String> dropped) {
      List<String> lines = new ArrayList<>();
      dropped.forEach((path, why) -> lines.add(path + ": " + why));
      if (job.getMetadata() == null) {
        job.setMetadata(new ObjectMeta());
      }
      Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
          : new LinkedHashMap<>(job.getMetadata().getAnnotations());
      annotations.put(ANNOTATION, String.join("\n", lines));
      job.getMetadata().setAnnotations(annotations);
    }
  }
}
