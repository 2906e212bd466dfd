package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which rendezvous environment Gangway injects into every rank. */
public enum Framework {
  @JsonProperty("pytorch") PYTORCH,
  @JsonProperty("jax") JAX,
  @JsonProperty("mpi") MPI,
  @JsonProperty("generic") GENERIC
}
