"""`from trn2sim import nki`: the NKI API as trn2sim traces it (nki.language, nki.isa,
nki.jit and the compiler decorators, accepted and recorded)."""
import functools

from . import isa, language  # noqa: F401

__all__ = ["isa", "language", "jit", "Kernel", "compiler"]


class Kernel:
    """A kernel function; `kernel[grid]` launches `grid` SPMD programs."""

    def __init__(self, function, grid=None, options=None):
        self.function, self.grid, self.options = function, grid, dict(options or {})
        functools.update_wrapper(self, function)

    def __getitem__(self, grid):
        grid = tuple(grid) if isinstance(grid, (tuple, list)) else (grid,)
        for g in grid:
            if isinstance(g, bool) or not hasattr(g, "__index__") or g < 1:
                raise ValueError(f"launch grid {grid}: every size must be a positive integer")
        return Kernel(self.function, tuple(int(g) for g in grid), self.options)

    def __call__(self, *args, **kwargs):
        from .._trace import _current
        if _current is not None:  # a kernel calling another: inline it
            return self.function(*args, **kwargs)
        raise RuntimeError("run an NKI kernel with trn2sim.simulate(kernel, *arrays)")


def jit(function=None, **options):
    """@nki.jit, @nki.jit(...) (options such as mode= are recorded, not needed)."""
    if function is None:
        return lambda f: Kernel(f, options=options)
    return Kernel(function, options=options)


baremetal = benchmark = profile = trace = jit


class compiler:
    """nki.compiler's decorators: accepted; they change nothing trn2sim models."""

    @staticmethod
    def skip_middle_end_transformations(f):
        return f

    @staticmethod
    def enable_stack_allocator(*args, **kwargs):
        return args[0] if args and callable(args[0]) else (lambda f: f)

    @staticmethod
    def force_auto_alloc(f):
        return f
