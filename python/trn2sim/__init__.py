"""trn2sim from Python: write a kernel with the NKI API, run it on the trn2sim model.

    from trn2sim import nki, simulate
    nl, nisa = nki.language, nki.isa
    out, report = simulate(my_kernel, a, b)   # numpy in, numpy and the report out
"""
from . import nki  # noqa: F401
from ._errors import KernelError  # noqa: F401
from ._run import bf16, fp8_e4m3, fp8_e5m2, simulate  # noqa: F401
from ._summary import summary  # noqa: F401
from ._trace import DEFAULT_COMPILER  # noqa: F401

__all__ = ["nki", "KernelError", "bf16", "fp8_e4m3", "fp8_e5m2", "simulate", "summary", "DEFAULT_COMPILER"]
