"""One all-reduce of the process index across JAX processes on CPU.

The initialize line is the one the README tells users to write: JAX reads JAX_COORDINATOR_ADDRESS
itself, but not the process count or id, so they are passed from Gangway's variables.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

jax.distributed.initialize(num_processes=int(os.environ["JAX_NUM_PROCESSES"]),
                           process_id=int(os.environ["JAX_PROCESS_ID"]))

mesh = Mesh(np.array(jax.devices()), ("processes",))
local = jnp.full((len(jax.local_devices()),), jax.process_index(), dtype=jnp.int32)
spread = multihost_utils.host_local_array_to_global_array(local, mesh, PartitionSpec("processes"))
total = jax.jit(jnp.sum, out_shardings=NamedSharding(mesh, PartitionSpec()))(spread)
print(f"RESULT client=jax world={jax.process_count()} rank={jax.process_index()} sum={int(total)}", flush=True)
jax.distributed.shutdown()
