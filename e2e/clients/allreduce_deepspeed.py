"""One all-reduce of the rank with DeepSpeed's communication layer, started by DeepSpeed's launcher or by torchrun.

deepspeed.init_distributed() finds the world from the MPI environment the launcher's mpirun gave it (rank,
size, rank 0's address), or from the one torchrun gives its workers; gloo, since these ranks have no GPU.
The process group is destroyed before exit: on torch 2.15 a gloo group left to interpreter shutdown aborts
("terminate called without an active exception") in about half the runs, failing the rank with SIGABRT.
"""
import socket
import torch
import torch.distributed as dist
import deepspeed

deepspeed.init_distributed(dist_backend="gloo")
value = torch.tensor([dist.get_rank()], dtype=torch.int64)
dist.all_reduce(value)
print(f"RESULT client=deepspeed world={dist.get_world_size()} rank={dist.get_rank()} sum={int(value.item())} host={socket.gethostname()}", flush=True)
dist.destroy_process_group()
