package io.allidb.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;

/**
 * Whether an existing object already carries every field of a desired one (fields the server or
 * other controllers added are ignored), the way JOSDK's generic matcher decides there is nothing to
 * update.
 */
final class SubsetMatcher {
  private SubsetMatcher() {}

  static boolean contains(HasMetadata existing, HasMetadata desired) {
    JsonNode actual = Serialization.jsonMapper().valueToTree(existing);
    JsonNode wanted = Serialization.jsonMapper().valueToTree(desired);
    for (var path : List.of("labels", "annotations")) {
      if (!subset(actual.path("metadata").path(path), wanted.path("metadata").path(path))) {
        return false;
      }
    }
    var fields = wanted.fieldNames();
    while (fields.hasNext()) {
      var name = fields.next();
      if (!name.equals("metadata") && !subset(actual.path(name), wanted.get(name))) {
        return false;
      }
    }
    return true;
  }

  private static boolean subset(JsonNode actual, JsonNode wanted) {
    if (wanted.isMissingNode() || wanted.isNull()) {
      return true;
    }
    if (wanted.isObject()) {
      if (!actual.isObject()) {
        return false;
      }
      var names = wanted.fieldNames();
      while (names.hasNext()) {
        var name = names.next();
        if (!subset(actual.path(name), wanted.get(name))) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isArray()) {
      if (!actual.isArray() || actual.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!subset(actual.get(i), wanted.get(i))) {
          return false;
        }
      }
      return true;
    }
    return wanted.equals(actual);
  }
}
