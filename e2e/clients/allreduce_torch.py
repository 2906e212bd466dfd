"""One all-reduce of the rank with torch.distributed, rendezvous from the environment only (env://).

Runs as torchrun's worker (torchrun sets RANK/WORLD_SIZE/MASTER_* from Gangway's PET_* variables) and
as a plain process per pod (Gangway's own RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT).
"""
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
value = torch.tensor([dist.get_rank()], dtype=torch.int64)
dist.all_reduce(value)
print(f"RESULT client=torch world={dist.get_world_size()} rank={dist.get_rank()} sum={int(value.item())}", flush=True)
dist.destroy_process_group()
