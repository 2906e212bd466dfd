"""torchrun worker that reports which node rank torchrun's rendezvous gave its agent, beside Gangway's rank.

GROUP_RANK is the agent's rank in the rendezvous (torchrun's), GANGWAY_RANK the pod's rank in Gangway's placement
order: with the c10d rendezvous they agree only if torchrun orders the nodes as Gangway numbered them.
"""
import os

import torch
import torch.distributed as dist

dist.init_process_group("gloo")
value = torch.tensor([dist.get_rank()], dtype=torch.int64)
dist.all_reduce(value)
print(f"RESULT client=torch world={dist.get_world_size()} rank={dist.get_rank()} sum={int(value.item())}"
      f" group={os.environ['GROUP_RANK']} gangway={os.environ['GANGWAY_RANK']}", flush=True)
dist.destroy_process_group()
