"""nki.isa as trn2sim traces it: each call records one instruction of trn2sim's ISA.

Both API generations run: the current one (`dst=` first, as nkilib writes) and the earlier
one (the instruction returns a new result tile, as course and sample kernels write). A call
is the earlier form when it has no `dst` (by keyword, or as its first positional tensor).
"""
import enum

from .._errors import KernelError, api
from .._ops import OPS, act_of, alu_of, as_op
from .._tensor import Tensor, as_dtype
from .._patterns import check_shapes, pattern
from .._sites import call_site
from .._trace import PendingMatmul, current


class engine(enum.Enum):
    unknown = "unknown"
    tensor = "pe"
    vector = "dve"
    scalar = "act"
    gpsimd = "pool"
    sync = "sync"

    def __str__(self):
        return self.value


unknown_engine, tensor_engine, vector_engine, scalar_engine, gpsimd_engine = (
    engine.unknown, engine.tensor, engine.vector, engine.scalar, engine.gpsimd)


class dge_mode(enum.Enum):
    unknown = "unknown"
    none = "none"
    swdge = "swdge"
    hwdge = "hwdge"


class reduce_cmd(enum.Enum):
    idle = "idle"
    reset = "reset"
    reset_reduce = "reset_reduce"
    reduce = "reduce"


class matmul_perf_mode(enum.Enum):
    none = "none"
    double_row = "double_row"


def _engine_name(e):
    return None if e is None else (e.value if isinstance(e, engine) else str(e))


def _tensor(x):
    return isinstance(x, (Tensor, PendingMatmul))


def _result(tr, api_name, like, dtype, space="sbuf", shape=None):
    """The earlier API's result tile, declared at the kernel's call."""
    dtype = as_dtype(dtype) if dtype is not None else like.dtype
    return tr.allocate(shape or like.shape, dtype, space, api_name, implicit=True)


def _promoted(a, b):
    """NKI's type promotion of two inputs: the same type stays, anything with fp32 (and
    fp16 with bf16) is fp32."""
    return a.dtype if a.dtype is b.dtype else as_dtype("float32")


def _dst_data(rest, dst, data):
    """The leading tensors of a one-input instruction, taken from `rest`: `dst, data` (the
    current API) or `data` alone (the earlier one)."""
    if len(rest) >= 2 and _tensor(rest[0]) and _tensor(rest[1]):
        dst, data = rest.pop(0), rest.pop(0)
    elif rest and _tensor(rest[0]):
        data = rest.pop(0)
    return dst, data


def _dst_op_data(rest, dst, op, data):
    """The leading positionals of activation and tensor_reduce, taken from `rest`: `[dst,] op,
    data` (dst first in the current API, absent in the earlier one)."""
    if rest and _tensor(rest[0]):
        dst = rest.pop(0)
    if rest and not _tensor(rest[0]):
        op = rest.pop(0)
    if rest and _tensor(rest[0]):
        data = rest.pop(0)
    return dst, op, data


def _no_more(rest, api_name):
    if rest:
        raise KernelError(f"unexpected positional arguments {rest!r}: pass them by name")


def _no_mask(mask):
    if mask is not None:
        raise KernelError("mask= (predicated instructions) is not modelled by trn2sim")


def _operand(tr, x, api_name, role, dst):
    """A scalar operand: an immediate, or a [P, 1] tile read per partition."""
    if _tensor(x):
        t = tr.use(x, api_name, role)
        if t.shape[0] != dst.shape[0] or t.size != t.shape[0]:
            raise KernelError(f"{role} tile {t.shape} must be ({dst.shape[0]}, 1): one value per partition of dst")
        return pattern(t, api_name, role), t
    try:
        return float(x), None
    except (TypeError, ValueError):
        raise KernelError(f"{role} {x!r} must be a number or a ({dst.shape[0]}, 1) tile") from None


@api("nisa.dma_copy")
def dma_copy(dst, src, dst_rmw_op=None, oob_mode=None, dge_mode=dge_mode.unknown, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    dst, src = tr.use(dst, "nisa.dma_copy", "dst"), tr.use(src, "nisa.dma_copy", "src")
    check_shapes("nisa.dma_copy", dst.shape, src.shape, "dst", "src")
    mode = dge_mode.value if hasattr(dge_mode, "value") else str(dge_mode)
    fields = {"op": "dma_copy", "engine": "dma", "queue": tr.queue_for(dst, src),
              "dst": pattern(dst, "nisa.dma_copy", "dst"), "src": pattern(src, "nisa.dma_copy", "src")}
    if mode != "unknown":
        fields["dge_mode"] = mode
    reads = [src]
    if dst_rmw_op is not None:
        if as_op(dst_rmw_op, "nisa.dma_copy").alu != "add":
            raise KernelError(f"dst_rmw_op {dst_rmw_op!r}: trn2sim's DMA accumulates with nl.add only")
        fields["accumulate"] = True
        reads.append(dst)
    tr.emit(fields, reads, [dst], call_site())
    return dst


@api("nisa.nc_matmul")
def nc_matmul(*args, dst=None, stationary=None, moving=None, is_stationary_onezero=False, is_moving_onezero=False,
              is_transpose=False, accumulate=None, tile_position=(), tile_size=(), perf_mode=None, mask=None,
              name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    tensors = [a for a in args if _tensor(a)]
    _no_more([a for a in args if not _tensor(a)], "nisa.nc_matmul")
    if len(tensors) == 3:
        dst, stationary, moving = tensors
    elif len(tensors) == 2:
        stationary, moving = tensors
    elif len(tensors) == 1:
        if stationary is None:
            stationary = tensors[0]
        else:
            moving = tensors[0]
    if stationary is None or moving is None:
        raise KernelError("needs stationary and moving tiles")
    if is_transpose:
        return _transpose_mode(dst, stationary, moving)
    if tile_position or tile_size:
        raise KernelError("PE row/column tiling (tile_position, tile_size) is not modelled yet")
    mode = "none" if perf_mode is None else str(getattr(perf_mode, "value", perf_mode))
    if mode not in ("none", "double_row"):
        raise KernelError(f"perf_mode {perf_mode}: none or double_row")
    stationary = tr.use(stationary, "nisa.nc_matmul", "stationary")
    moving = tr.use(moving, "nisa.nc_matmul", "moving")
    if stationary.shape[0] != moving.shape[0]:
        raise KernelError(f"stationary {stationary.shape} and moving {moving.shape} must share the partition "
                          "(contraction) axis")
    for role, t in (("stationary", stationary), ("moving", moving)):
        if "int" in t.dtype.name:
            raise KernelError(f"{role} is {t.dtype.name}: the PE multiplies float8/bf16/fp16/fp32 only")
    if (stationary.dtype.name == "float32") != (moving.dtype.name == "float32"):
        raise KernelError(f"stationary {stationary.dtype.name} and moving {moving.dtype.name}: the PE does not mix "
                          "fp32 with a narrower dtype")
    product = _product_shape(stationary, moving, mode)
    if dst is None:  # the earlier API: the product, placed where it is used
        return PendingMatmul(tr, stationary, moving, product, mode)
    dst = tr.use(dst, "nisa.nc_matmul", "dst")
    if dst.storage.space != "psum" or dst.dtype.name != "float32":
        raise KernelError(f"dst is a {dst.dtype.name} {dst.storage.space} tile; the PE writes fp32 PSUM")
    check_shapes("nisa.nc_matmul", dst.shape, product, "dst", "stationary.T @ moving")
    tr.matmul(dst, stationary, moving, accumulate, call_site(), mode)
    return dst


def _product_shape(stationary, moving, mode):
    """[M, N] of stationary [K, M] and moving [K, N]; in the PE's fp8 double_row mode both are
    [K, 2, M] and [K, 2, N], the contraction split over the partitions and the 2 (nki.isa.nc_matmul)."""
    k = stationary.shape[0]
    if mode != "double_row":
        return (stationary.size // k, moving.size // k)
    for role, t in (("stationary", stationary), ("moving", moving)):
        if not t.dtype.name.startswith("float8"):
            raise KernelError(f"perf_mode double_row needs fp8 operands; {role} is {t.dtype.name}")
        if t.ndim != 3 or t.shape[1] != 2:
            raise KernelError(f"perf_mode double_row: {role} {t.shape} must be [K, 2, F] (the two halves of K)")
    return (stationary.shape[2], moving.shape[2])


def _transpose_mode(dst, stationary, moving):
    """nc_matmul(is_transpose=True): the PE's transpose mode (NeuronCore-v3 on: bit-accurate,
    16-bit results stay 16-bit), the same instruction as nc_transpose on the tensor engine
    (nki.isa.nc_matmul and the Trainium2 architecture guide, "Built-in Transpose Support").
    The moving tile is the identity the mode streams; its values do not change the result."""
    tr = current()
    moving = tr.use(moving, "nisa.nc_matmul", "moving")
    k = stationary.shape[0]
    if moving.shape[0] != k or moving.size != k * k:
        raise KernelError(f"is_transpose=True: moving {moving.shape} must be the [{k}, {k}] identity")
    return nc_transpose(dst=dst, data=stationary)


@api("nisa.nc_transpose")
def nc_transpose(*args, dst=None, data=None, engine=engine.unknown, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, data = _dst_data(rest, dst, data)
    if rest:
        engine = rest.pop(0)
    _no_more(rest, "nisa.nc_transpose")
    if data is None:
        raise KernelError("needs data")
    if _engine_name(engine) not in ("unknown", "pe", None):
        raise KernelError(f"engine {engine}: trn2sim transposes on the tensor engine only")
    data = tr.use(data, "nisa.nc_transpose", "data")
    shape = (data.size // data.shape[0], data.shape[0])
    if dst is None:
        dst = _result(tr, "nisa.nc_transpose", data, data.dtype, "psum", shape)
    dst = tr.use(dst, "nisa.nc_transpose", "dst")
    if dst.dtype is not data.dtype or dst.storage.space != "psum":
        raise KernelError(f"dst is a {dst.dtype.name} {dst.storage.space} tile; the PE transposes {data.dtype.name} "
                          f"into PSUM without converting (dst must be {data.dtype.name} PSUM)")
    check_shapes("nisa.nc_transpose", dst.shape, shape, "dst", "data transposed")
    fields = {"op": "nc_transpose", "engine": "pe", "dst": pattern(dst, "nisa.nc_transpose", "dst"),
              "src": pattern(data, "nisa.nc_transpose", "data")}
    tr.before_transpose(fields)
    tr.emit(fields, [data], [dst], call_site())
    return dst


@api("nisa.tensor_copy")
def tensor_copy(*args, dst=None, src=None, engine=engine.unknown, dtype=None, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, src = _dst_data(rest, dst, src)
    if rest:
        engine = rest.pop(0)
    _no_more(rest, "nisa.tensor_copy")
    if src is None:
        raise KernelError("needs src")
    src = tr.use(src, "nisa.tensor_copy", "src")
    dst = tr.use(dst if dst is not None else _result(tr, "nisa.tensor_copy", src, dtype), "nisa.tensor_copy", "dst")
    check_shapes("nisa.tensor_copy", dst.shape, src.shape, "dst", "src")
    eng = tr.engine(_engine_name(engine), "tensor_copy_engine", ("dve", "act", "pool"), "tensor_copy")
    tr.emit({"op": "tensor_copy", "engine": eng, "dst": pattern(dst, "nisa.tensor_copy", "dst"),
             "src": pattern(src, "nisa.tensor_copy", "src")}, [src], [dst], call_site())
    return dst


@api("nisa.memset")
def memset(*args, dst=None, value=None, engine=engine.unknown, dtype=None, shape=None, mask=None, name=None,
           **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    if rest and _tensor(rest[0]):
        dst = rest.pop(0)
    elif rest and isinstance(rest[0], (tuple, list)):
        shape = rest.pop(0)
    if rest:
        value = rest.pop(0)
    if rest and dtype is None:
        dtype = rest.pop(0)
    _no_more(rest, "nisa.memset")
    if value is None:
        raise KernelError("needs a value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KernelError(f"value {value!r} must be a number")
    if dst is None:  # the earlier API: memset(shape, value, dtype) returns a new tile
        if shape is None or dtype is None:
            raise KernelError("needs dst, or shape and dtype")
        dst = tr.allocate(shape, dtype, "sbuf", "nisa.memset", implicit=True)
    dst = tr.use(dst, "nisa.memset", "dst")
    eng = tr.engine(_engine_name(engine), "memset_engine", ("dve", "act", "pool"), "memset")
    tr.emit({"op": "memset", "engine": eng, "dst": pattern(dst, "nisa.memset", "dst"), "value": float(value)},
            [], [dst], call_site())
    return dst


def _elementwise_engine(tr, e, api_name):
    return tr.engine(_engine_name(e), None, ("dve",), api_name)


@api("nisa.tensor_tensor")
def tensor_tensor(*args, dst=None, data1=None, data2=None, op=None, engine=engine.unknown, dtype=None, mask=None,
                  name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    tensors = []
    while rest and _tensor(rest[0]):
        tensors.append(rest.pop(0))
    if rest and op is None:
        op = rest.pop(0)
    if len(tensors) == 3:
        dst, data1, data2 = tensors
    elif len(tensors) == 2:
        data1, data2 = tensors
    if data1 is None or data2 is None or op is None:
        raise KernelError("needs data1, data2 and op")
    alu = alu_of(op, "nisa.tensor_tensor")
    data1 = tr.use(data1, "nisa.tensor_tensor", "data1")
    data2 = tr.use(data2, "nisa.tensor_tensor", "data2")
    check_shapes("nisa.tensor_tensor", data1.shape, data2.shape, "data1", "data2")
    if dst is None:
        dst = _result(tr, "nisa.tensor_tensor", data1, dtype if dtype is not None else _promoted(data1, data2))
    dst = tr.use(dst, "nisa.tensor_tensor", "dst")
    check_shapes("nisa.tensor_tensor", dst.shape, data1.shape, "dst", "data1")
    eng = _elementwise_engine(tr, engine, "tensor_tensor")
    tr.emit({"op": "tensor_tensor", "engine": eng, "alu": alu, "dst": pattern(dst, "nisa.tensor_tensor", "dst"),
             "src": pattern(data1, "nisa.tensor_tensor", "data1"), "src2": pattern(data2, "nisa.tensor_tensor", "data2")},
            [data1, data2], [dst], call_site())
    return dst


@api("nisa.tensor_scalar")
def tensor_scalar(*args, dst=None, data=None, op0=None, operand0=None, reverse0=False, op1=None, operand1=None,
                  reverse1=False, engine=engine.unknown, dtype=None, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, data = _dst_data(rest, dst, data)
    names = ["op0", "operand0", "reverse0", "op1", "operand1", "reverse1"]
    _no_more(rest[len(names):], "nisa.tensor_scalar")
    given = dict(zip(names, rest))
    op0, operand0 = given.get("op0", op0), given.get("operand0", operand0)
    reverse0, op1 = given.get("reverse0", reverse0), given.get("op1", op1)
    operand1, reverse1 = given.get("operand1", operand1), given.get("reverse1", reverse1)
    if data is None or op0 is None or operand0 is None:
        raise KernelError("needs data, op0 and operand0")
    data = tr.use(data, "nisa.tensor_scalar", "data")
    dst = tr.use(dst if dst is not None else _result(tr, "nisa.tensor_scalar", data, dtype), "nisa.tensor_scalar", "dst")
    check_shapes("nisa.tensor_scalar", dst.shape, data.shape, "dst", "data")
    a0, a1 = alu_of(op0, "nisa.tensor_scalar"), alu_of(op1, "nisa.tensor_scalar") if op1 is not None else None
    fields = {"op": "tensor_scalar", "engine": _elementwise_engine(tr, engine, "tensor_scalar"), "alu": a0,
              "dst": pattern(dst, "nisa.tensor_scalar", "dst"), "src": pattern(data, "nisa.tensor_scalar", "data")}
    reads = [data]
    fields["scalar"], t0 = _operand(tr, operand0, "nisa.tensor_scalar", "operand0", dst)
    reads += [t0] if t0 is not None else []
    if reverse0:
        fields["reverse0"] = True
    if a1 is not None:
        if operand1 is None:
            raise KernelError("op1 needs operand1")
        fields["alu1"] = a1
        fields["scalar1"], t1 = _operand(tr, operand1, "nisa.tensor_scalar", "operand1", dst)
        reads += [t1] if t1 is not None else []
        if reverse1:
            fields["reverse1"] = True
    elif reverse1:
        raise KernelError("reverse1 without op1")
    tr.emit(fields, reads, [dst], call_site())
    return dst


@api("nisa.scalar_tensor_tensor")
def scalar_tensor_tensor(*args, dst=None, data=None, op0=None, operand0=None, op1=None, operand1=None,
                         reverse0=False, reverse1=False, dtype=None, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, data = _dst_data(rest, dst, data)
    _no_more(rest[4:], "nisa.scalar_tensor_tensor")
    given = dict(zip(["op0", "operand0", "op1", "operand1"], rest))
    op0, operand0 = given.get("op0", op0), given.get("operand0", operand0)
    op1, operand1 = given.get("op1", op1), given.get("operand1", operand1)
    if data is None or op0 is None or operand0 is None or op1 is None or operand1 is None:
        raise KernelError("needs data, op0, operand0, op1 and operand1")
    a0, a1 = alu_of(op0, "nisa.scalar_tensor_tensor"), alu_of(op1, "nisa.scalar_tensor_tensor")
    data = tr.use(data, "nisa.scalar_tensor_tensor", "data")
    operand1 = tr.use(operand1, "nisa.scalar_tensor_tensor", "operand1")
    check_shapes("nisa.scalar_tensor_tensor", data.shape, operand1.shape, "data", "operand1")
    if dst is None:
        dst = _result(tr, "nisa.scalar_tensor_tensor", data, dtype if dtype is not None else _promoted(data, operand1))
    dst = tr.use(dst, "nisa.scalar_tensor_tensor", "dst")
    check_shapes("nisa.scalar_tensor_tensor", dst.shape, data.shape, "dst", "data")
    fields = {"op": "scalar_tensor_tensor", "engine": "dve", "alu": a0, "alu1": a1,
              "dst": pattern(dst, "nisa.scalar_tensor_tensor", "dst"),
              "src": pattern(data, "nisa.scalar_tensor_tensor", "data"),
              "src2": pattern(operand1, "nisa.scalar_tensor_tensor", "operand1")}
    fields["scalar"], t0 = _operand(tr, operand0, "nisa.scalar_tensor_tensor", "operand0", dst)
    if reverse0:
        fields["reverse0"] = True
    if reverse1:
        fields["reverse1"] = True
    tr.emit(fields, [data, operand1] + ([t0] if t0 is not None else []), [dst], call_site())
    return dst


@api("nisa.activation")
def activation(*args, dst=None, op=None, data=None, bias=None, scale=1.0, reduce_op=None, reduce_res=None,
               reduce_cmd=None, dtype=None, mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, op, data = _dst_op_data(rest, dst, op, data)
    if rest:
        bias = rest.pop(0)
    if rest:
        scale = rest.pop(0)
    _no_more(rest, "nisa.activation")
    if op is None or data is None:
        raise KernelError("needs op and data")
    func = act_of(op, "nisa.activation")
    data = tr.use(data, "nisa.activation", "data")
    dst = tr.use(dst if dst is not None else _result(tr, "nisa.activation", data, dtype), "nisa.activation", "dst")
    check_shapes("nisa.activation", dst.shape, data.shape, "dst", "data")
    fields = {"op": "activation", "engine": "act", "func": func, "dst": pattern(dst, "nisa.activation", "dst"),
              "src": pattern(data, "nisa.activation", "data")}
    reads, writes = [data], [dst]
    fields["scale"], ts = _operand(tr, scale, "nisa.activation", "scale", dst)
    if bias is not None:
        fields["bias"], tb = _operand(tr, bias, "nisa.activation", "bias", dst)
        reads += [tb] if tb is not None else []
    reads += [ts] if ts is not None else []
    if reduce_cmd is not None and getattr(reduce_cmd, "value", reduce_cmd) != "reset_reduce":
        raise KernelError(f"reduce_cmd={reduce_cmd}: trn2sim models reset_reduce only (each instruction's own sums)")
    if reduce_res is not None:
        if reduce_op is not None and as_op(reduce_op, "nisa.activation").reduce != "add":
            raise KernelError(f"reduce_op {reduce_op!r}: trn2sim's activation reduces with nl.add only")
        r = tr.use(reduce_res, "nisa.activation", "reduce_res")
        fields["reduce_res"] = pattern(r, "nisa.activation", "reduce_res")
        writes.append(r)
    tr.emit(fields, reads, writes, call_site())
    return dst


def _reduce_axes(axis, data):
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    free = set(range(1, data.ndim))
    picked = {a % data.ndim for a in axes}
    if picked != free:
        raise KernelError(f"axis {axis}: trn2sim reduces along all free axes ({sorted(free)}) of a {data.shape} tile")


@api("nisa.tensor_reduce")
def tensor_reduce(*args, dst=None, op=None, data=None, axis=None, negate=False, keepdims=False, dtype=None,
                  mask=None, name=None, **_ignored):
    _no_mask(mask)
    tr = current()
    rest = list(args)
    dst, op, data = _dst_op_data(rest, dst, op, data)
    if rest:
        axis = rest.pop(0)
    if rest:
        negate = rest.pop(0)
    if rest:
        keepdims = rest.pop(0)  # the result is [P, 1] either way: a tile keeps its partition axis
    _no_more(rest, "nisa.tensor_reduce")
    if op is None or data is None or axis is None:
        raise KernelError("needs op, data and axis")
    o = as_op(op, "nisa.tensor_reduce")
    if o.reduce is None:
        raise KernelError(f"op {o!r} is not a reduction (add, max, min, multiply)")
    data = tr.use(data, "nisa.tensor_reduce", "data")
    _reduce_axes(axis, data)
    out_shape = (data.shape[0], 1)
    if dst is None:
        dst = _result(tr, "nisa.tensor_reduce", data, dtype, shape=out_shape)
    dst = tr.use(dst, "nisa.tensor_reduce", "dst")
    check_shapes("nisa.tensor_reduce", dst.shape, out_shape, "dst", "the reduction")
    fields = {"op": "tensor_reduce", "engine": "dve", "alu": o.reduce, "dst": pattern(dst, "nisa.tensor_reduce", "dst"),
              "src": pattern(data, "nisa.tensor_reduce", "data")}
    if negate:
        fields["negate"] = True
    tr.emit(fields, [data], [dst], call_site())
    return dst


@api("nisa.iota")
def iota(*args, dst=None, expr=None, dtype=None, mask=None, name=None, **_ignored):
    """dst[p][f] = const + p * partition coefficient + f * free coefficient, from an
    nl.arange expression (`nl.arange(P)[:, None] * a + nl.arange(F)[None, :] * b + c`)."""
    from .._tensor import IndexExpr
    _no_mask(mask)
    tr = current()
    rest = list(args)
    if rest and _tensor(rest[0]):
        dst = rest.pop(0)
    if rest:
        expr = rest.pop(0)
    if rest and dtype is None:
        dtype = rest.pop(0)
    _no_more(rest, "nisa.iota")
    if not isinstance(expr, IndexExpr):
        raise KernelError("expr must be an nl.arange expression")
    if None in expr.terms and len(expr.terms) > 1:
        raise KernelError("expr mixes a bare nl.arange with [:, None] / [None, :] terms")
    (pc, pn), (fc, fn) = expr.terms.get(0, (0, 1)), expr.terms.get(1, expr.terms.get(None, (0, 1)))
    if dst is None:
        if dtype is None:
            raise KernelError("needs dst or dtype")
        dst = tr.allocate((pn, fn), dtype, "sbuf", "nisa.iota", implicit=True)
    dst = tr.use(dst, "nisa.iota", "dst")
    check_shapes("nisa.iota", dst.shape, (pn, fn), "dst", "expr")
    tr.emit({"op": "iota", "engine": "pool", "dst": pattern(dst, "nisa.iota", "dst"), "start": float(expr.const),
             "step": float(fc), "partition_step": float(pc)}, [], [dst], call_site())
    return dst


@api("nisa.activation_reduce")
def activation_reduce(*args, dst=None, op=None, data=None, reduce_op=None, reduce_res=None, bias=None, scale=1.0,
                      dtype=None, mask=None, name=None, **_ignored):
    """nisa.activation with its free-axis reduction (nki's activation_reduce; reduce_op add)."""
    rest = list(args)
    if rest and _tensor(rest[0]) and len(rest) > 1 and not _tensor(rest[1]):
        dst = rest.pop(0)
    names = ["op", "data", "reduce_op", "reduce_res", "bias", "scale"]
    given = dict(zip(names, rest))
    op, data = given.get("op", op), given.get("data", data)
    reduce_op, reduce_res = given.get("reduce_op", reduce_op), given.get("reduce_res", reduce_res)
    bias, scale = given.get("bias", bias), given.get("scale", scale)
    if reduce_res is None:
        raise KernelError("needs reduce_res")
    return activation(dst=dst, op=op, data=data, bias=bias, scale=scale, reduce_op=reduce_op, reduce_res=reduce_res,
                      dtype=dtype, mask=mask)


@api("nisa.reciprocal")
def reciprocal(*args, dst=None, data=None, dtype=None, mask=None, name=None, **_ignored):
    """1 / data on the vector engine: a tensor_scalar dividing 1 by each element (reverse0),
    at tensor_scalar's cost (nki.isa.reciprocal runs on the Vector Engine)."""
    rest = list(args)
    dst, data = _dst_data(rest, dst, data)
    _no_more(rest, "nisa.reciprocal")
    if data is None:
        raise KernelError("needs data")
    return tensor_scalar(dst=dst, data=data, op0=OPS["divide"], operand0=1.0, reverse0=True, dtype=dtype, mask=mask)
