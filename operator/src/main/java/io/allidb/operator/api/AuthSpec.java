package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * API-key authentication. Keys themselves live only in Secrets (TARGET.md decision 10); this spec
 * names tenants, the day-2 issue generates and rotates their keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"enabled", "tenants"})
public class AuthSpec {

  @Default("true")
  @JsonPropertyDescription("Require an API key on every public request.")
  private Boolean enabled = true;

  @JsonPropertyDescription("Tenants that get API keys.")
  @ValidationRule(
      value = "self.all(t, self.exists_one(u, u.name == t.name))",
      message = "tenant names must be unique")
  @Size(max = 256) // bounds the cost of the uniqueness rule, which API servers check
  private List<TenantSpec> tenants = new ArrayList<>();

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public List<TenantSpec> getTenants() {
    return tenants;
  }

  public void setTenants(List<TenantSpec> tenants) {
    this.tenants = tenants;
  }
}
