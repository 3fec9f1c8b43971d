package io.allidb.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A short, stable digest of a rendered pod template. A pod whose annotation differs from its
 * StatefulSet's desired hash needs a restart; an operator upgrade that renders the same template
 * yields the same hash and restarts nothing. The JSON is canonical (sorted properties and map
 * keys), so the digest does not depend on the order in which the model happens to build maps.
 */
public final class TemplateHash {
  /** Pod-template annotation carrying the hash. */
  public static final String ANNOTATION = "allidb.io/pod-template-hash";

  /** Pod-template annotation carrying the hash of the node ConfigMap's data. */
  public static final String CONFIG_ANNOTATION = "allidb.io/config-hash";

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private TemplateHash() {}

  /** Digest of the template as rendered; call it before the hash annotation is added. */
  public static String of(PodTemplateSpec template) {
    var annotations = template.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(ANNOTATION)) {
      throw new IllegalArgumentException("template already carries " + ANNOTATION);
    }
    try {
      return digest(CANONICAL.writeValueAsString(template));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("pod template does not serialize: " + e.getMessage(), e);
    }
  }

  /** Digest of ConfigMap data, independent of map order. */
  public static String ofData(Map<String, String> data) {
    return digest(new TreeMap<>(data).toString());
  }

  /** The hash recorded on a pod or template, or null. */
  public static String annotatedOn(ObjectMeta metadata) {
    return metadata == null || metadata.getAnnotations() == null
        ? null
        : metadata.getAnnotations().get(ANNOTATION);
  }

  static String digest(String text) {
    try {
      var sha = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JRE", e);
    }
  }
}
