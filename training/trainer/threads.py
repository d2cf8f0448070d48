"""Thread limits that must be set before numpy or torch is imported.

torch.set_num_threads only sizes torch's own OpenMP pool. Debian's torch does its matrix products through the
system BLAS (BLAS_INFO=generic, i.e. OpenBLAS), whose thread pool reads OPENBLAS_NUM_THREADS when the library
loads; without it a '--threads 1' training took both cores of this machine (189 % CPU) and starved the
background DFT for a 1.1x speed-up."""
import os

_VARS = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')


def limit_from_argv(argv: list[str], default: int | None = None) -> None:
    """Set the BLAS/OpenMP thread variables from a '--threads N' (or '--threads=N') in argv, else from `default`;
    values already in the environment win."""
    n = default
    for i, a in enumerate(argv):
        if a == '--threads' and i + 1 < len(argv):
            n = int(argv[i + 1])
        elif a.startswith('--threads='):
            n = int(a.split('=', 1)[1])
    if n:  # 0 or None: the libraries' own default
        for v in _VARS:
            os.environ.setdefault(v, str(n))
