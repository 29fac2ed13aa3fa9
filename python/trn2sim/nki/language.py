"""nki.language as trn2sim traces it: tensors, loops, SPMD ids and the elementwise functions
of the earlier API generation (nl.load, nl.store, nl.add, nl.exp, nl.matmul, ...), each
lowered onto the instructions of nki.isa."""
import math

from .._errors import KernelError, api
from .._ops import OPS
from .._tensor import (DynSlice, IndexExpr, Tensor, as_dtype, bfloat16, float8_e4m3, float8_e5m2,  # noqa: F401
                       float16, float32, int8, int16, int32, uint8, uint16, uint32)
from .._sites import call_site
from .._trace import PendingMatmul, current
from . import isa as nisa

# Buffers.
sbuf, psum, hbm, shared_hbm, private_hbm = "sbuf", "psum", "hbm", "shared_hbm", "private_hbm"
tfloat32 = float32  # the PE's fp32 path; stored as fp32


class _TileSize:
    """nl.tile_size: the PE's and PSUM's tile limits, and the SBUF/PSUM bytes per partition
    of the hardware being simulated (configs/trn2.json with the run's overrides)."""
    pmax = 128
    psum_fmax = 512
    gemm_stationary_fmax = 128
    gemm_moving_fmax = 512

    @property
    def total_available_sbuf_size(self):
        return current().limits["sbuf_partition_bytes"]

    @property
    def psum_partition_bytes(self):
        return current().limits["psum_partition_bytes"]


tile_size = _TileSize()


class _ParDim(int):
    """nl.par_dim(n): n, marked as the partition dimension (the first, in trn2sim)."""
    par_dim = True


def par_dim(n):
    return _ParDim(n)


def nc(n):
    return n


def spmd_dim(*dims):
    return math.prod(dims)


# --- loops and SPMD ------------------------------------------------------------------------
def _range(kind, args):
    for a in args:
        if isinstance(a, bool) or not hasattr(a, "__index__"):
            raise KernelError(f"bound {a!r} must be an integer")
    return current().loop(kind, range(*args))


@api("nl.affine_range")
def affine_range(*args, **_ignored):
    """Independent iterations: tiles declared inside get rotating buffers (the compiler's
    rule, trn2sim.DEFAULT_COMPILER) so that iterations overlap."""
    return _range("affine_range", args)


@api("nl.sequential_range")
def sequential_range(*args, **_ignored):
    """Iterations in order, a loop-carried dependency: one buffer per tile declared inside."""
    return _range("sequential_range", args)


@api("nl.static_range")
def static_range(*args, **_ignored):
    """Unrolled at trace time: buffers as in affine_range."""
    return _range("static_range", args)


@api("nl.program_id")
def program_id(axis=0):
    """This program's index along `axis` of the launch grid (kernel[2], kernel[2, 3], ...)."""
    return current().program_id(axis)


@api("nl.num_programs")
def num_programs(axes=None):
    """Programs in the launch grid: all of them, along one axis, or along a tuple of axes."""
    grid = current().grid
    if axes is None:
        return math.prod(grid)
    axes = axes if isinstance(axes, (tuple, list)) else (axes,)
    for a in axes:
        if not 0 <= a < len(grid):
            raise KernelError(f"axis {a}: the launch grid {grid} has {len(grid)} axes")
    return math.prod(grid[a] for a in axes)


def ds(start, size, step=1):
    return DynSlice(start, size, step)


def arange(*args):
    return IndexExpr.arange(*args)


def device_print(*_args, **_kwargs):
    pass


# --- tensors -----------------------------------------------------------------------------------
@api("nl.ndarray")
def ndarray(shape, dtype, buffer=sbuf, name=None, buffers=None, **_ignored):
    """A tensor. On chip (sbuf, psum) its first axis is the partition axis; `buffers` (a
    trn2sim extension) sets how many rotating buffers its declaration line gets."""
    tr = current()
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)  # allocate() checks the sizes
    buf = getattr(buffer, "name", buffer)
    if buf in (hbm, shared_hbm, private_hbm):
        return tr.new_hbm(shape, dtype, call_site(), name, private=buf == private_hbm)
    if buf not in (sbuf, psum):
        raise KernelError(f"buffer {buffer!r} is not nl.sbuf, nl.psum or an HBM buffer")
    return tr.allocate(shape, dtype, buf, "nl.ndarray", buffers, name)


@api("nl.zeros")
def zeros(shape, dtype, buffer=sbuf, name=None, buffers=None, **kw):
    return full(shape, 0.0, dtype, buffer=buffer, name=name, buffers=buffers)


@api("nl.ones")
def ones(shape, dtype, buffer=sbuf, name=None, buffers=None, **kw):
    return full(shape, 1.0, dtype, buffer=buffer, name=name, buffers=buffers)


@api("nl.full")
def full(shape, fill_value, dtype, buffer=sbuf, name=None, buffers=None, **kw):
    t = ndarray(shape, dtype, buffer=buffer, name=name, buffers=buffers)
    nisa.memset(dst=t, value=fill_value)
    return t


@api("nl.load")
def load(src, dtype=None, mask=None, **_ignored):
    """An HBM tensor (slice) into a new SBUF tile of its shape."""
    tr = current()
    src = tr.use(src, "nl.load", "src")
    shape = src.shape if len(src.shape) > 1 else src.shape + (1,)  # a vector lies on the partitions
    t = tr.allocate(shape, as_dtype(dtype) if dtype is not None else src.dtype, sbuf, "nl.load", implicit=True)
    nisa.dma_copy(dst=t, src=src, mask=mask)
    return t


@api("nl.store")
def store(dst, value, mask=None, **_ignored):
    tr = current()
    value = tr.use(value, "nl.store", "value")
    nisa.dma_copy(dst=dst, src=value, mask=mask)


def _copy(x, dtype=None, **_ignored):
    return nisa.tensor_copy(src=x, dtype=dtype)


def _is_tile(x):
    return isinstance(x, (Tensor, PendingMatmul))


def _per_partition(t, other):
    return t.size == t.shape[0] and other.size != other.shape[0]


def _binary(name):
    alu = OPS[name]

    def function(x, y, dtype=None, **_ignored):
        if _is_tile(x) and _is_tile(y):
            tx, ty = current().use(x, f"nl.{name}", "x"), current().use(y, f"nl.{name}", "y")
            dtype = dtype if dtype is not None else nisa._promoted(tx, ty)
            if _per_partition(ty, tx):
                return nisa.tensor_scalar(data=tx, op0=alu, operand0=ty, dtype=dtype)
            if _per_partition(tx, ty):  # a [P, 1] column <op> a tile: the operands swapped
                return nisa.tensor_scalar(data=ty, op0=alu, operand0=tx, reverse0=True, dtype=dtype)
            return nisa.tensor_tensor(data1=tx, data2=ty, op=alu, dtype=dtype)
        if _is_tile(x):
            return nisa.tensor_scalar(data=x, op0=alu, operand0=y, dtype=dtype)
        if _is_tile(y):  # scalar <op> tile: the operands swapped (nki.isa's reverse0)
            return nisa.tensor_scalar(data=y, op0=alu, operand0=x, reverse0=True, dtype=dtype)
        raise KernelError(f"nl.{name} needs a tile")
    function.__name__ = name
    return api(f"nl.{name}")(function)


def _unary(name):
    op = OPS[name]

    def function(x, dtype=None, **_ignored):
        return nisa.activation(op=op, data=x, dtype=dtype)
    function.__name__ = name
    return api(f"nl.{name}")(function)


def _reduction(name):
    op = OPS[name]

    def function(x, axis, dtype=None, keepdims=False, **_ignored):
        return nisa.tensor_reduce(op=op, data=x, axis=axis, dtype=dtype, keepdims=keepdims)
    function.__name__ = name
    return api(f"nl.{name}")(function)


for _name in ("add", "subtract", "multiply", "maximum", "minimum", "divide", "power", "equal", "greater",
              "greater_equal", "less", "less_equal"):
    OPS[_name].function = _binary(_name)
for _name in ("exp", "tanh", "sigmoid", "silu", "gelu", "rsqrt", "sqrt", "square", "relu"):
    OPS[_name].function = _unary(_name)
for _name in ("sum", "max", "min"):
    OPS[_name].function = _reduction(_name)
OPS["copy"].function = api("nl.copy")(_copy)
globals().update(OPS)


@api("nl.matmul")
def matmul(x, y, transpose_x=False, **_ignored):
    """x.T @ y with transpose_x=True (x is [K, M] in SBUF, the PE's stationary operand)."""
    if not transpose_x:
        raise KernelError("transpose_x=False needs x transposed first: pass x as [K, M] with transpose_x=True, "
                          "or transpose it with nl.transpose")
    return nisa.nc_matmul(stationary=x, moving=y)


@api("nl.transpose")
def transpose(x, **_ignored):
    return nisa.nc_transpose(data=x)


@api("nl.negative")
def negative(x, dtype=None, **_ignored):
    return nisa.tensor_scalar(data=x, op0=OPS["multiply"], operand0=-1.0, dtype=dtype)


@api("nl.mean")
def mean(x, axis, dtype=None, keepdims=False, **_ignored):
    """The row sum (tensor_reduce) times 1 / the free size (tensor_scalar): two instructions."""
    total = nisa.tensor_reduce(op=OPS["add"], data=x, axis=axis, dtype=float32)
    return nisa.tensor_scalar(data=total, op0=OPS["multiply"], operand0=1.0 / (x.size // x.shape[0]), dtype=dtype)


@api("nl.reciprocal")
def reciprocal(x, dtype=None, **_ignored):
    return nisa.reciprocal(data=x, dtype=dtype)
