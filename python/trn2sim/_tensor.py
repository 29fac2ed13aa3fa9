"""Tensors as the tracer sees them: dtypes, memory views and NKI's index expressions.

A view is an affine access pattern over one storage (an HBM tensor or an on-chip buffer):
an element offset and a list of [step, count] dimensions, the same form as the program
JSON (docs/program-format.md). On chip (SBUF/PSUM), the first dimension is the partition
axis and its step counts partitions; every other step counts elements.
"""
import math

from ._errors import KernelError


class DType:
    """An element type of trn2sim's ISA."""

    def __init__(self, name, size):
        self.name = name
        self.size = size
        self.itemsize = size  # numpy's name

    def __repr__(self):
        return f"nl.{self.name}"

    def __reduce__(self):  # one object per dtype, also through pickling
        return (as_dtype, (self.name,))


float32 = DType("float32", 4)
bfloat16 = DType("bfloat16", 2)
float16 = DType("float16", 2)
float8_e4m3 = DType("float8_e4m3", 1)  # trn2's fp8 formats (not the OCP e4m3fn: docs/timing-model.md)
float8_e5m2 = DType("float8_e5m2", 1)
int8, uint8, int16, uint16, int32, uint32 = (DType(n, b) for n, b in (
    ("int8", 1), ("uint8", 1), ("int16", 2), ("uint16", 2), ("int32", 4), ("uint32", 4)))
_DTYPES = {d.name: d for d in (float32, bfloat16, float16, float8_e4m3, float8_e5m2,
                               int8, uint8, int16, uint16, int32, uint32)}
_ALIASES = {"fp32": float32, "bf16": bfloat16, "fp16": float16, "half": float16, "float": float32}


def as_dtype(d):
    """nl dtypes, numpy dtypes (also ml_dtypes' bfloat16) and their names."""
    if isinstance(d, DType):
        return d
    name = getattr(d, "name", None) or getattr(d, "__name__", None) or str(d)
    if not isinstance(name, str):
        name = str(name)
    name = name.replace("numpy.", "")
    found = _DTYPES.get(name) or _ALIASES.get(name)
    if found is None:
        raise KernelError(f"dtype {name} is not in trn2sim's ISA ({', '.join(_DTYPES)})")
    return found


class Storage:
    """One HBM tensor or one on-chip buffer allocation."""

    def __init__(self, space, dtype, shape, site, name=None, base=0):
        self.space = space      # 'hbm', 'sbuf' or 'psum'
        self.dtype = dtype
        self.shape = tuple(shape)
        self.site = site        # where it was declared: "file:line"
        self.name = name        # HBM tensors
        self.base = base        # on chip: byte address in every partition
        self.written = False
        self.read = False
        self.boxes = []         # what instructions wrote: (p_lo, p_hi, e_lo, e_hi) bounding boxes
        self.made_by = None     # the instruction that wrote all of it first, if one did
        self.implicit = False   # a result tile the front end made (nl.load, nl.add, ...), not nl.ndarray
        self.kernel_made = False  # an HBM tensor the kernel declared (not one of its inputs)
        self.compiler_made = False  # one the front end adds as the compiler would (the PE's identity)
        self.assigned = False   # sizing pass: assigned into a tile (a candidate for retargeting)
        self.used_after_assignment = False
        self.pool = None        # on chip: the rotating pool and the buffer it holds
        self.slot = 0
        self.generation = 0
        self.first = None       # on chip: first and last instruction that touched it
        self.last = None
        self.core = 0

    @property
    def on_chip(self):
        return self.space != "hbm"


def _located(name):
    """An unlocated KernelError raised inside becomes `file:line: name: message`."""
    def wrap(f):
        def method(*args, **kwargs):
            from ._errors import api
            return api(name)(f)(*args, **kwargs)
        method.__name__, method.__doc__ = f.__name__, f.__doc__
        return method
    return wrap


def _integer(x, what):
    """An index, count or step: ints and numpy integers, not floats or bools."""
    if isinstance(x, bool) or not hasattr(x, "__index__"):
        raise KernelError(f"{what} {x!r} must be an integer")
    return int(x)


def _full_dims(storage):
    """The dims of a whole storage's view (on chip: the partition axis first)."""
    shape = storage.shape
    if storage.on_chip and len(shape) == 1:
        return [[1, shape[0]]]
    if storage.on_chip:
        return [[1, shape[0]]] + _row_major(shape[1:])
    return _row_major(shape)


class Tensor:
    """A view of a storage, with NKI's indexing, `.ap()` and (HBM) `.reshape()`."""

    def __init__(self, storage, dtype, offset, dims, start_partition=0):
        self.storage = storage
        self.dtype = dtype
        self.offset = offset          # elements: HBM from the tensor's start; on chip, in the partition
        self.dims = [list(d) for d in dims]
        self.start_partition = start_partition

    # --- what NKI code reads ---------------------------------------------------------
    @property
    def shape(self):
        return tuple(c for _, c in self.dims)

    @property
    def ndim(self):
        return len(self.dims)

    @property
    def buffer(self):
        return self.storage.space

    @property
    def size(self):
        return math.prod(self.shape)

    def __repr__(self):
        return f"Tensor({self.storage.space}, {self.dtype.name}, shape={self.shape})"

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        from ._errors import api
        return api(f"indexing a {self.storage.space} tensor")(_index)(self, index)

    @_located("Tensor.view")
    def view(self, dtype):
        raise KernelError("reinterpreting bytes is not supported by trn2sim")

    @_located("Tensor.reshape")
    def reshape(self, shape):
        """A row-major reshape of a dense view (HBM tensors, or an on-chip tile's free axes)."""
        shape = tuple(int(s) for s in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        if math.prod(shape) != self.size:
            raise KernelError(f"reshape of {self.shape} to {shape}: element counts differ")
        if self.storage.on_chip:
            if shape[0] != self.shape[0]:
                raise KernelError(f"reshape of an on-chip tile {self.shape} to {shape} must keep the partition axis")
            free = _dense(self.dims[1:])
            if free is None:
                raise KernelError(f"reshape of a strided view {self.shape}: its free axes are not dense")
            dims = [self.dims[0]] + _row_major(shape[1:], free)
            return Tensor(self.storage, self.dtype, self.offset, dims, self.start_partition)
        step = _dense(self.dims)
        if step is None:
            raise KernelError(f"reshape of a strided HBM view {self.shape}: only dense views reshape")
        return Tensor(self.storage, self.dtype, self.offset, _row_major(shape, step), 0)

    @_located("Tensor.ap")
    def ap(self, pattern, offset=0, dtype=None, **_ignored):
        """An access pattern over the whole tensor, nki's `.ap(pattern=[[step, count], ...], offset=)`.

        Steps and the offset count elements (of `dtype`, default the tensor's) of the tensor
        laid out row-major; on chip a partition is one row of the free axes, so the first step
        must be a whole number of rows (it becomes the partition step). As in NKI, `.ap` takes
        the whole tensor, not an indexed view of it."""
        if not pattern or any(not isinstance(p, (list, tuple)) or len(p) != 2 for p in pattern):
            raise KernelError(f"pattern {pattern!r} must be a list of [step, count] pairs")
        pattern = [[_integer(s, "a step"), _integer(c, "a count")] for s, c in pattern]
        if any(c < 1 for _, c in pattern):
            raise KernelError(f"pattern {pattern!r}: counts must be positive")
        offset = _integer(offset, "the offset")
        s = self.storage
        if self.dtype is not s.dtype or self.offset or self.start_partition or self.dims != _full_dims(s):
            raise KernelError("takes the whole tensor, not an indexed view (as in NKI): index the result instead")
        dt = as_dtype(dtype) if dtype is not None else s.dtype
        if not s.on_chip:
            return Tensor(s, dt, offset, pattern, 0)
        row_bytes = math.prod(s.shape[1:]) * s.dtype.size
        if row_bytes % dt.size:
            raise KernelError(f"a partition's {row_bytes} bytes are not a whole number of {dt.name} elements")
        row = row_bytes // dt.size  # elements of `dt` per partition
        (pstep, pcount), free = pattern[0], pattern[1:]
        if pstep % row and pcount > 1:
            raise KernelError(f"partition step {pstep} is not a multiple of the tile's {row} elements per partition")
        dims = [[pstep // row if pcount > 1 else 1, pcount]] + (free or [[1, 1]])
        return Tensor(s, dt, offset % row, dims, offset // row)

    def __setitem__(self, index, value):
        """`tile[index] = value` (earlier API): see Tracer.assign."""
        from . import _trace
        from ._errors import api
        api("=")(lambda: _trace.current().assign(self[index], value))()

    # Old API: `psum_tile += nisa.nc_matmul(a, b)` accumulates into the tile.
    def __iadd__(self, other):
        from . import _trace
        return _trace.current().accumulate_into(self, other)

    # Elementwise arithmetic of tiles as nl functions.
    def _binary(self, other, op, reverse=False):
        from .nki import language as nl
        return getattr(nl, op)(other, self) if reverse else getattr(nl, op)(self, other)

    def __add__(self, o): return self._binary(o, "add")
    def __radd__(self, o): return self._binary(o, "add", True)
    def __sub__(self, o): return self._binary(o, "subtract")
    def __rsub__(self, o): return self._binary(o, "subtract", True)
    def __mul__(self, o): return self._binary(o, "multiply")
    def __rmul__(self, o): return self._binary(o, "multiply", True)
    def __truediv__(self, o): return self._binary(o, "divide")
    def __rtruediv__(self, o): return self._binary(o, "divide", True)
    def __pow__(self, o): return self._binary(o, "power")
    def __neg__(self): return self._binary(-1.0, "multiply")


def _row_major(shape, inner_step=1):
    dims, step = [], inner_step
    for n in reversed(shape):
        dims.append([step, n])
        step *= n
    return list(reversed(dims))


def _dense(dims):
    """The innermost step if `dims` walk elements densely (row-major), else None."""
    dims = [d for d in dims if d[1] != 1]
    if not dims:
        return 1
    step = dims[-1][0]
    expect = step
    for s, c in reversed(dims):
        if s != expect:
            return None
        expect = s * c
    return step


class DynSlice:
    """nl.ds(start, size): `size` elements from `start`."""

    def __init__(self, start, size, step=1):
        self.start, self.size = _integer(start, "nl.ds start"), _integer(size, "nl.ds size")
        self.step = _integer(step, "nl.ds step")


class IndexExpr:
    """An affine index built from nl.arange: const + sum(coef * k_axis), k_axis < count.

    `nl.arange(n)[:, None]` varies along result axis 0, `nl.arange(n)[None, :]` along axis 1
    (NKI's broadcasting of index arrays); a bare `nl.arange(n)` along axis None (its own
    position in the index)."""

    def __init__(self, const=0, terms=None):
        self.const = const
        self.terms = dict(terms or {})  # axis -> (coef, count)

    @staticmethod
    def arange(start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        count = max(0, -(-(stop - start) // step))
        return IndexExpr(start, {None: (step, count)})

    def __getitem__(self, key):
        if len(self.terms) != 1 or None not in self.terms:
            raise KernelError("only a one-dimensional nl.arange can be indexed with [:, None] or [None, :]")
        key = key if isinstance(key, tuple) else (key,)
        if key == (slice(None), None):
            axis = 0
        elif key == (None, slice(None)):
            axis = 1
        elif key == (slice(None),):
            axis = None
        else:
            raise KernelError(f"nl.arange index {key!r}: use [:, None] or [None, :]")
        return IndexExpr(self.const, {axis: self.terms[None]})

    def _combine(self, other, sign):
        if isinstance(other, IndexExpr):
            terms = dict(self.terms)
            for axis, (coef, count) in other.terms.items():
                if axis in terms:
                    raise KernelError("two nl.arange index terms on the same axis")
                terms[axis] = (sign * coef, count)
            return IndexExpr(self.const + sign * other.const, terms)
        return IndexExpr(self.const + sign * _integer(other, "an nl.arange offset"), self.terms)

    def __add__(self, o): return self._combine(o, 1)
    __radd__ = __add__
    def __sub__(self, o): return self._combine(o, -1)
    def __rsub__(self, o): return IndexExpr(int(o) - self.const, {a: (-c, n) for a, (c, n) in self.terms.items()})

    def _mask(self, *_):
        from ._sites import call_site
        raise KernelError(f"{call_site()}: mask: comparisons of nl.arange expressions are masks (mask=), which "
                          "trn2sim does not model", located=True)
    __lt__ = __le__ = __gt__ = __ge__ = _mask

    def __mul__(self, k):
        if isinstance(k, IndexExpr):
            raise KernelError("a product of two nl.arange expressions is not affine")
        k = _integer(k, "an nl.arange coefficient")
        return IndexExpr(self.const * k, {a: (c * k, n) for a, (c, n) in self.terms.items()})
    __rmul__ = __mul__

    @property
    def shape(self):
        n = {a: c for a, (_, c) in self.terms.items()}
        return (n.get(0, 1), n.get(1, 1))


def _index(t, index):
    if not isinstance(index, tuple):
        index = (index,)
    if any(i is Ellipsis for i in index):
        at = index.index(Ellipsis)
        fill = len(t.dims) - (len(index) - 1)
        index = index[:at] + (slice(None),) * fill + index[at + 1:]
    if len(index) > len(t.dims):
        raise KernelError(f"{len(index)} indices for a tensor of shape {t.shape}")
    index = index + (slice(None),) * (len(t.dims) - len(index))
    advanced = any(isinstance(i, IndexExpr) and (set(i.terms) - {None}) for i in index)
    if advanced and any(isinstance(i, (slice, DynSlice)) for i in index):
        raise KernelError("nl.arange indices and slices cannot be mixed in one index (as in NKI): "
                          "index every axis with nl.arange, or none")
    offset, start_p = t.offset, t.start_partition
    kept = []            # (result axis or None, [step, count]) in index order
    for axis, (i, (step, count)) in enumerate(zip(index, t.dims)):
        on_partitions = t.storage.on_chip and axis == 0
        if isinstance(i, IndexExpr):
            if len(i.terms) > 1:
                raise KernelError("an index may use one nl.arange term (e.g. i_p + 128 * m)")
            (where, (coef, n)), = i.terms.items() if i.terms else ((None, (0, 1)),)
            if advanced and where is None:
                where = 1  # numpy broadcasting: a one-dimensional index array's axis is the last
            if on_partitions and advanced and where != 0:
                raise KernelError("the partition axis cannot move to another axis by indexing: use nc_transpose")
            lo, hi = i.const + min(0, coef * (n - 1)), i.const + max(0, coef * (n - 1))
            _check_bounds(lo, hi, count, t.shape)
            first, new = i.const, [step * coef, n]
            kept.append((where, new))
        elif isinstance(i, (slice, DynSlice)):
            if isinstance(i, DynSlice):
                first, s, n = i.start, i.step, i.size
                _check_bounds(first, first + s * (n - 1), count, t.shape)
            else:
                first, stop, s = i.indices(count)
                n = max(0, -(-(stop - first) // s))
                if (i.start is not None and not 0 <= (i.start if i.start >= 0 else i.start + count) <= count) or \
                   (i.stop is not None and i.stop > count):
                    raise KernelError(f"slice {i.start}:{i.stop} is out of bounds for an axis of {count} in a tensor of shape {t.shape}")
            if n < 1:
                raise KernelError(f"empty slice of an axis of {count} in a tensor of shape {t.shape}")
            kept.append((None, [step * s, n]))
        else:
            if isinstance(i, bool) or not hasattr(i, "__index__"):
                raise KernelError(f"index {i!r} is not an integer, slice, nl.ds or nl.arange expression")
            first = int(i)
            if first < 0:
                first += count
            _check_bounds(first, first, count, t.shape)
            if on_partitions and not advanced:
                kept.append((None, [step, 1]))  # the partition axis stays, one partition wide
            elif advanced:
                kept.append(("fixed", [step, 1]))
        if on_partitions:
            start_p += first * step
        else:
            offset += first * step
    dims = _arrange(kept, advanced)
    return Tensor(t.storage, t.dtype, offset, dims, start_p)


def _arrange(kept, advanced):
    if not advanced:
        return [d for _, d in kept]
    # NKI's advanced indexing: the result's axes are the index arrays' broadcast axes.
    out = {}
    for where, d in kept:
        if where in (0, 1):
            out[where] = d
    rank = 1 + max(out) if out else 1
    rank = max(rank, 2)
    return [out.get(a, [1, 1]) for a in range(rank)]


def _check_bounds(lo, hi, count, shape):
    if lo < 0 or hi >= count:
        raise KernelError(f"index {lo if lo < 0 else hi} is out of bounds for an axis of {count} in a tensor of shape {shape}")
