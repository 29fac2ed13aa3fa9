"""Views as the program's access patterns (docs/program-format.md), and the geometry the
tracer reasons with: a view's bounding box, whether two views are one, shape checks."""
import math

from ._sites import fail
from ._tensor import Tensor, _full_dims


def full_view(storage):
    """The whole of a storage, row-major; on chip, the first axis on the partitions."""
    return Tensor(storage, storage.dtype, 0, _full_dims(storage), 0)


def box(t):
    """The partitions and elements a view spans: (p_lo, p_hi, e_lo, e_hi), bounds exclusive.
    HBM views span one row of elements."""
    lo = hi = t.offset
    dims = t.dims[1:] if t.storage.on_chip else t.dims
    for step, count in dims:
        lo, hi = lo + min(0, step * (count - 1)), hi + max(0, step * (count - 1))
    if not t.storage.on_chip:
        return (0, 1, lo, hi + 1)
    pstep, pcount = t.dims[0] if t.dims else (1, 1)
    last = t.start_partition + pstep * (pcount - 1)
    return (min(t.start_partition, last), max(t.start_partition, last) + 1, lo, hi + 1)


def written_before(t):
    p0, p1, e0, e1 = box(t)
    return any(p0 < q1 and q0 < p1 and e0 < f1 and f0 < e1 for q0, q1, f0, f1 in t.storage.boxes)


def is_whole(t):
    """Whether a view is its storage's whole, in the storage's dtype."""
    return same_view(t, full_view(t.storage))


def same_view(a, b):
    return a.storage is b.storage and a.offset == b.offset and a.dims == b.dims and \
        a.start_partition == b.start_partition and a.dtype is b.dtype


def check_shapes(api, a, b, name_a, name_b):
    sa, sb = [n for n in a if n != 1], [n for n in b if n != 1]
    if sa != sb:
        fail(api, f"{name_a} shape {tuple(a)} and {name_b} shape {tuple(b)} differ")


def _merge(dims):
    """Adjacent dimensions that walk memory as one, merged; count-1 dimensions dropped."""
    dims = [list(d) for d in dims if d[1] != 1] or [[1, 1]]
    out = [dims[0]]
    for s, c in dims[1:]:
        if out[-1][0] == s * c:
            out[-1] = [s, out[-1][1] * c]
        else:
            out.append([s, c])
    return out


def pattern(t, api, role):
    """A view as a program access pattern (docs/program-format.md)."""
    s = t.storage
    p = {"space": s.space, "dtype": t.dtype.name}
    if s.on_chip:
        if not t.dims:
            fail(api, f"{role} has no partition axis")
        p0, p1, e0, e1 = box(t)
        row = math.prod(s.shape[1:]) * s.dtype.size // t.dtype.size  # elements of t's dtype per partition
        if p0 < 0 or p1 > s.shape[0] or e0 < 0 or e1 > row:
            fail(api, f"{role} reaches partitions [{p0}, {p1}) and elements [{e0}, {e1}) of a {s.shape} "
                 f"{s.dtype.name} tile: beyond it")
        (pstep, pcount), free = t.dims[0], t.dims[1:] or [[1, 1]]
        p.update(base=s.base, start_partition=t.start_partition, partition_step=pstep, partition_count=pcount)
    else:
        dims = t.dims or [[1, 1]]
        if len(dims) > 1 and dims[0][1] <= 128:
            (pstep, pcount), free = dims[0], dims[1:]
        else:
            (pstep, pcount), free = (1, 1), dims
        p.update(tensor=s.name, partition_step=pstep, partition_count=pcount)
    if len(free) > 4:
        free = _merge(free)
    if len(free) > 4:
        fail(api, f"{role} has {len(free)} free dimensions that do not merge; the hardware takes up to 4")
    if t.offset:
        p["offset"] = t.offset
    p["dims"] = [list(d) for d in free]
    return p
