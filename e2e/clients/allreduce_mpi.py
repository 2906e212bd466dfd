"""One MPI all-reduce of the rank over every process mpirun started from the hostfile."""
from mpi4py import MPI

world = MPI.COMM_WORLD
total = world.allreduce(world.Get_rank(), op=MPI.SUM)
print(f"RESULT client=mpi world={world.Get_size()} rank={world.Get_rank()} sum={total} host={MPI.Get_processor_name()} "
      f"library={MPI.Get_library_version().splitlines()[0].strip()}", flush=True)
