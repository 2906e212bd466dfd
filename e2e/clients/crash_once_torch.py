"""torchrun worker that all-reduces its rank, and on the first round of attempt 1 one worker then crashes (exit 3).

With Gangway's in-place restarts (spec.failurePolicy.inPlaceRestarts) torchrun's agents restart every worker of
the gang in place: the crashed one's agent because its worker failed, the others because the rendezvous has a
node waiting. The second round all-reduces again and exits 0. Without them the agents exit and the next attempt
(Gangway's gang restart, GANGWAY_ATTEMPT 2) runs clean. Every line carries the wall-clock time, so the harness can
measure crash -> world formed again.

After a round that follows an in-place restart, rank 0 prints the checkpoint report it would send Gangway
("CHECKPOINT {json}", with "inPlaceRestarts": the highest TORCHELASTIC_RESTART_COUNT of all ranks, and
"inPlaceRestartTime": when this restarted worker started, as
docs/checkpoint-contract.md shows: torchrun counts on each node only the restarts its own workers' failures caused, so
rank 0's own count may be 0): these ranks run in network namespaces with no route to the operator, so the harness
posts it as the rank would.

CRASH_RANK (the harness's choice, not a rendezvous variable): the global rank that crashes; default 1.
CRASH_EVERY_ROUND=1: it crashes in every round of attempt 1, so torchrun's in-place restarts run out.
"""
import datetime
import json
import os
import time

# A restarted worker starts here: when it restarted, for the report's inPlaceRestartTime.
STARTED = time.time()

import torch
import torch.distributed as dist

restart = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
dist.init_process_group("gloo")
value = torch.tensor([dist.get_rank()], dtype=torch.int64)
dist.all_reduce(value)
print(f"RESULT client=torch world={dist.get_world_size()} rank={dist.get_rank()} sum={int(value.item())}"
      f" restart={restart} group={os.environ.get('GROUP_RANK')} at={time.time():.3f}", flush=True)
restarts = torch.tensor([restart], dtype=torch.int64)
dist.all_reduce(restarts, op=dist.ReduceOp.MAX)
restarts = int(restarts.item())
if restarts > 0 and dist.get_rank() == 0:
    step = 100 * (restarts + 1)
    report = {"namespace": os.environ["GANGWAY_NAMESPACE"], "name": os.environ["GANGWAY_JOB"], "uid": os.environ["GANGWAY_JOB_UID"],
              "attempt": int(os.environ["GANGWAY_ATTEMPT"]), "step": step, "path": f"/checkpoints/step-{step}",
              "inPlaceRestarts": restarts,
              "inPlaceRestartTime": datetime.datetime.fromtimestamp(STARTED, datetime.timezone.utc).isoformat(timespec="milliseconds")
              .replace("+00:00", "Z")}
    print("CHECKPOINT " + json.dumps(report), flush=True)
every_round = os.environ.get("CRASH_EVERY_ROUND") == "1"
if (restart == 0 or every_round) and os.environ.get("GANGWAY_ATTEMPT") == "1" \
        and dist.get_rank() == int(os.environ.get("CRASH_RANK", "1")):
    print(f"CRASH rank={dist.get_rank()} at={time.time():.3f}", flush=True)
    os._exit(3)
# The first round waits here for the crash: its survivors are restarted by their agents, never return.
dist.barrier()
dist.destroy_process_group()
