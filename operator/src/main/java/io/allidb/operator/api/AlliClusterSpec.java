package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the user wants: the desired AlliDB cluster. Defaults here mirror the OpenAPI defaults of the
 * CRD so that an object read from an API server without defaulting (the mock server in tests)
 * behaves the same.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "image",
  "version",
  "replicas",
  "racks",
  "replicationFactor",
  "vnodes",
  "resources",
  "storage",
  "config",
  "tls",
  "auth",
  "repair",
  "pvcRetentionPolicy",
  "paused"
})
@ValidationRule(
    value = "has(self.racks) != has(self.replicas)",
    message = "set either racks or replicas, not both and not neither")
@ValidationRule(
    value =
        "self.replicationFactor <= (has(self.racks) ? self.racks.map(r, r.replicas).sum() :"
            + " self.replicas)",
    message = "replicationFactor cannot exceed the total number of nodes")
public class AlliClusterSpec {

  @Required
  @JsonPropertyDescription("Data-plane container image, e.g. ghcr.io/allidb/allidb:0.1.0.")
  private String image;

  @JsonPropertyDescription(
      "AlliDB version the image carries; informational, shown in labels and used in upgrade"
          + " decisions.")
  private String version;

  @Min(0)
  @JsonPropertyDescription(
      "Number of nodes in a single rack named 'default'. Use this or racks, not both.")
  private Integer replicas;

  @JsonPropertyDescription(
      "Racks (failure domains). Each becomes one StatefulSet; replicas are placed rack-aware on"
          + " the ring. Use this or replicas, not both.")
  @ValidationRule(
      value = "self.all(r, self.exists_one(s, s.name == r.name))",
      message = "rack names must be unique")
  @Size(max = 32) // bounds the cost of the CEL rules, which API servers check
  private List<RackSpec> racks;

  @Min(1)
  @Default("3")
  @JsonPropertyDescription("Copies of every row; reads and writes at QUORUM need RF/2+1 of them.")
  private Integer replicationFactor = 3;

  @Min(1)
  @Max(1024)
  @Default("16")
  @JsonPropertyDescription("Virtual nodes (tokens) per node; more spreads load more evenly.")
  @ValidationRule(value = "self == oldSelf", message = "vnodes cannot change after creation")
  private Integer vnodes = 16;

  @JsonPropertyDescription("CPU and memory for the data-plane container.")
  private ResourceRequirements resources;

  @Required
  @JsonPropertyDescription(
      "Persistent volume of each node. Immutable: StatefulSet claim templates are.")
  @ValidationRule(value = "self == oldSelf", message = "storage cannot change after creation")
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription(
      "Node configuration overrides (key = value), rendered into the node ConfigMap. Never put"
          + " secrets here: use tls/auth, which reference Secrets.")
  private Map<String, String> config = new LinkedHashMap<>();

  @JsonPropertyDescription("Transport security for client and internode traffic.")
  private TlsSpec tls = new TlsSpec();

  @JsonPropertyDescription("API-key authentication and the tenants that get keys.")
  private AuthSpec auth = new AuthSpec();

  @JsonPropertyDescription("Anti-entropy repair scheduling.")
  private RepairSpec repair = new RepairSpec();

  @JsonPropertyDescription("What happens to a node's PersistentVolumeClaim when it goes away.")
  private PvcRetentionPolicy pvcRetentionPolicy = new PvcRetentionPolicy();

  @Default("false")
  @JsonPropertyDescription(
      "Stop all changes (dependents, scaling, restarts); status is still reported. The annotation"
          + " allidb.io/paused=true does the same.")
  private Boolean paused = false;

  /** The racks to run: {@code racks}, or one rack named {@code default} of {@code replicas}. */
  public List<RackSpec> effectiveRacks() {
    if (racks != null) {
      return racks;
    }
    var rack = new RackSpec();
    rack.setName(RackSpec.DEFAULT_RACK);
    rack.setReplicas(replicas == null ? 0 : replicas);
    return List.of(rack);
  }

  /** Total desired nodes over all racks. */
  public int totalReplicas() {
    return effectiveRacks().stream()
        .mapToInt(r -> r.getReplicas() == null ? 0 : r.getReplicas())
        .sum();
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public List<RackSpec> getRacks() {
    return racks;
  }

  public void setRacks(List<RackSpec> racks) {
    this.racks = racks == null ? null : new ArrayList<>(racks);
  }

  public Integer getReplicationFactor() {
    return replicationFactor;
  }

  public void setReplicationFactor(Integer replicationFactor) {
    this.replicationFactor = replicationFactor;
  }

  public Integer getVnodes() {
    return vnodes;
  }

  public void setVnodes(Integer vnodes) {
    this.vnodes = vnodes;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public Map<String, String> getConfig() {
    return config;
  }

  public void setConfig(Map<String, String> config) {
    this.config = config;
  }

  public TlsSpec getTls() {
    return tls;
  }

  public void setTls(TlsSpec tls) {
    this.tls = tls;
  }

  public AuthSpec getAuth() {
    return auth;
  }

  public void setAuth(AuthSpec auth) {
    this.auth = auth;
  }

  public RepairSpec getRepair() {
    return repair;
  }

  public void setRepair(RepairSpec repair) {
    this.repair = repair;
  }

  public PvcRetentionPolicy getPvcRetentionPolicy() {
    return pvcRetentionPolicy;
  }

  public void setPvcRetentionPolicy(PvcRetentionPolicy pvcRetentionPolicy) {
    this.pvcRetentionPolicy = pvcRetentionPolicy;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }
}
