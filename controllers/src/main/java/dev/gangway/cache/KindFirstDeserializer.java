package dev.gangway.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import java.io.IOException;

/**
 * Reads an object whose class its {@code kind} and {@code apiVersion} name (a watch event's object) straight into that
 * class. Fabric8's {@link KubernetesDeserializer} first reads the whole object into a JSON tree to find those two
 * fields, then converts the tree: every pod event of the operator's all-pods watch was parsed twice, on the watch's one
 * thread. The API server writes {@code kind} and {@code apiVersion} first, so only they are held back here; an object
 * that names a kind Fabric8 has no class for, or none at all, is handed to Fabric8's deserializer as before.
 */
public final class KindFirstDeserializer extends JsonDeserializer<KubernetesResource> {

  @Override
  public KubernetesResource deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    // Fabric8's own instance (its serialization's handler instantiator gives it out): it knows the kinds registered there.
    KubernetesDeserializer fabric8 = (KubernetesDeserializer) (Object) ctxt.deserializerInstance(null, KubernetesDeserializer.class);
    if (!p.isExpectedStartObjectToken()) {
      return fabric8.deserialize(p, ctxt);
    }
    // The fields before both names are known, kept as tokens (no tree) to be read again.
    TokenBuffer head = ctxt.bufferForInputBuffering(p);
    head.writeStartObject();
    String kind = null;
    String apiVersion = null;
    while (kind == null || apiVersion == null) {
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        // The object ended without naming its kind: Fabric8's rules decide.
        head.writeEndObject();
        return fabric8.deserialize(onFirstToken(head), ctxt);
      }
      String name = p.currentName();
      JsonToken value = p.nextToken();
      head.writeFieldName(name);
      head.copyCurrentStructure(p);
      if (value == JsonToken.VALUE_STRING && "kind".equals(name)) {
        kind = p.getText();
      } else if (value == JsonToken.VALUE_STRING && "apiVersion".equals(name)) {
        apiVersion = p.getText();
      }
    }
    Class<? extends KubernetesResource> type = fabric8.getRegisteredKind(apiVersion, kind);
    if (type == null || type == GenericKubernetesResource.class) {
      // Fabric8 reads an unknown kind as a generic resource or by its own rules: give it the whole object.
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        head.writeFieldName(p.currentName());
        p.nextToken();
        head.copyCurrentStructure(p);
      }
      head.writeEndObject();
      return fabric8.deserialize(onFirstToken(head), ctxt);
    }
    // The held fields, then the rest of the object from where it stands (the parser is on the last held value).
    p.clearCurrentToken();
    JsonParser whole = JsonParserSequence.createFlattened(false, head.asParser(p), p);
    whole.nextToken();
    return ctxt.readValue(whole, type);
  }

  private static JsonParser onFirstToken(TokenBuffer buffer) throws IOException {
    JsonParser parser = buffer.asParser();
    parser.nextToken();
    return parser;
  }
}
