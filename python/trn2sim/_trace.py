"""The tracer: runs a kernel's Python once per program and records what the compiler would
emit. It allocates SBUF/PSUM buffers (rotating where loops let iterations overlap), assigns
DMA queues, picks engines left to the compiler, and writes a trn2sim program (JSON) whose
dependencies the simulator infers from memory footprints (`infer_deps`, the C++ kernel
builder's logic: it is not written twice).

Every compiler choice is a documented default with an override (`compiler=` of simulate,
`buffers=` of nl.ndarray), and the report's `front_end` block lists what was applied.
"""
import math
import os
import sys

from ._errors import KernelError
from ._tensor import Storage, Tensor, _row_major, as_dtype

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_current = None

# The compiler's choices, as defaults a kernel may override (docs/python.md).
DEFAULT_COMPILER = {
    # Rotating buffers for a tile declared inside affine_range/static_range loops: "auto" is
    # the rule the public NEFFs show (docs/validation.md): up to 64 iterations in all, one
    # buffer per iteration; more, one buffer. A number: that many (at most the iterations).
    "loop_buffers": "auto",
    "auto_buffer_limit": 64,
    # A tile declared inside a sequential_range loop: iterations run in order, one buffer.
    "sequential_buffers": 1,
    # DMA queues: "by_direction" (the public NEFFs: loads on one queue, stores on another,
    # on-chip copies on a third) or "round_robin" (each core's 16 queues in turn).
    "dma_queues": "by_direction",
    # Engines for instructions whose engine the kernel leaves to the compiler.
    "tensor_copy_engine": "dve",
    "memset_engine": "dve",
}
_ENGINES = {"dve": "dve", "vector": "dve", "act": "act", "scalar": "act", "pool": "pool", "gpsimd": "pool",
            "pe": "pe", "tensor": "pe"}


def current():
    if _current is None:
        raise KernelError("nki calls must run inside trn2sim.simulate(kernel, ...)")
    return _current


def _kernel_frame():
    """The innermost frame outside this package: the kernel's line calling into trn2sim."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return frame


def call_site():
    """The kernel's source line calling into trn2sim: `path:line` (path relative to the
    working directory when under it)."""
    frame = _kernel_frame()
    if frame is None:
        return "<unknown>:0"
    path = frame.f_code.co_filename
    try:
        rel = os.path.relpath(path)
        path = rel if not rel.startswith("..") else path
    except ValueError:
        pass
    return f"{path}:{frame.f_lineno}"


def declaration_key():
    """What tells two tile declarations apart: the code and the bytecode offset of the call,
    so that two tiles made on one line (`nl.add(nl.load(a), nl.load(b))`) get pools of
    their own, and one made in a loop gets the same pool every iteration."""
    frame = _kernel_frame()
    return (id(frame.f_code), frame.f_lasti) if frame is not None else None


def call_column():
    """The column of the kernel's call (1-based; 0 where Python does not say)."""
    frame = _kernel_frame()
    if frame is None or not hasattr(frame.f_code, "co_positions"):
        return 0
    for i, position in enumerate(frame.f_code.co_positions()):
        if 2 * i == frame.f_lasti:
            return (position[2] or -1) + 1
    return 0


def fail(api, message):
    """A KernelError at the kernel's line: `file:line: api: message`."""
    raise KernelError(f"{call_site()}: {api}: {message}", located=True)


class Pool:
    """The rotating buffers of one declaration site on one core."""

    def __init__(self, space, base, buffer_bytes, bufs, site, rule):
        self.space, self.base, self.buffer_bytes, self.bufs = space, base, buffer_bytes, bufs
        self.site, self.rule = site, rule
        self.name, self.column = site, 0  # the record's name (nl.ndarray's name=), the call's column
        self.next = 0
        self.owner = {}  # buffer -> generation of the storage holding it
        self.records = []  # (instruction count when allocated, storage), for the sizing pass
        self.generations = 0
        self.allocations = 0


class Loop:
    def __init__(self, kind, trips):
        self.kind, self.trips = kind, trips


class PendingMatmul:
    """An old-API `nisa.nc_matmul(a, b)` not yet placed: `acc += it` accumulates into acc;
    any other use places it in a new PSUM tile at the call's line."""

    def __init__(self, tracer, stationary, moving, site):
        self.tracer, self.stationary, self.moving, self.site = tracer, stationary, moving, site
        self.placed = None
        self.dtype = as_dtype("float32")
        self.shape = (stationary.shape[1] if stationary.ndim > 1 else 1, math.prod(moving.shape[1:]))

    def place(self):
        if self.placed is None:
            dst = self.tracer.allocate(self.shape, self.dtype, "psum", self.site)
            self.tracer.matmul(dst, self.stationary, self.moving, False, self.site)
            self.placed = dst
        return self.placed

    def __getitem__(self, index):
        return self.place()[index]


class Tracer:
    def __init__(self, limits, compiler, cores, kernel_name, live=None):
        """`live`: None for the sizing pass (every allocation its own buffer, nothing checked
        against capacity: it measures liveness), else the sizing pass's `live_at_once()`."""
        self.limits = limits
        self.sizing = live is None
        self.live = live or {}
        self.compiler = dict(DEFAULT_COMPILER)
        for k, v in (compiler or {}).items():
            if k not in DEFAULT_COMPILER:
                raise KernelError(f"compiler option {k!r} is unknown (known: {', '.join(DEFAULT_COMPILER)})")
            self.compiler[k] = v
        self.kernel_name = kernel_name
        self.cores = [[] for _ in range(cores)]
        self.core = 0
        self.program = 0
        self.programs = 1
        self.loops = []
        self.tensors = []           # HBM storages, in declaration order
        self.shared = []            # HBM tensors the kernel made, in order (shared by programs)
        self.shared_seen = 0
        self.pools = [dict() for _ in range(cores)]
        self.sbuf_used = [0] * cores
        self.psum_banks = [0] * cores
        self.storages = []          # on-chip storages, for allocation records
        self.next_queue = [0] * cores
        self.queues_used = set()
        self.engine_defaults = set()

    # --- programs and loops ------------------------------------------------------------
    def start_program(self, program, programs, core):
        self.program, self.programs, self.core = program, programs, core
        self.shared_seen = 0
        self.loops = []

    def loop(self, kind, iterations):
        iterations = list(iterations)
        self.loops.append(Loop(kind, len(iterations)))
        try:
            for i in iterations:
                yield i
        finally:
            self.loops.pop()

    # --- HBM ------------------------------------------------------------------------------
    def hbm_tensor(self, name, dtype, shape, site):
        taken = {t.name for t in self.tensors}
        base, k = name, 1
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        s = Storage("hbm", as_dtype(dtype), shape, site, name=name)
        self.tensors.append(s)
        return s

    def new_hbm(self, shape, dtype, site, name=None):
        """An HBM tensor the kernel declares: one per declaration, shared by every program
        (SPMD programs declare the same tensors in the same order)."""
        if self.shared_seen < len(self.shared):
            s = self.shared[self.shared_seen]
            if s.shape != tuple(shape) or s.dtype is not as_dtype(dtype):
                fail("nl.ndarray", f"program {self.program} declares HBM tensor {len(self.shared)} as {tuple(shape)} "
                     f"{as_dtype(dtype).name}, program 0 as {s.shape} {s.dtype.name}")
        else:
            s = self.hbm_tensor(name or f"out{len(self.shared)}", dtype, shape, site)
            s.kernel_made = True
            self.shared.append(s)
        self.shared_seen += 1
        return full_view(s)

    # --- on-chip allocation -----------------------------------------------------------------
    def buffers_for(self, key, requested):
        """How many rotating buffers a tile declared here gets, and why: the loop rule, and at
        least as many as the sizing pass saw live at once (a tile kept in a Python list, say)."""
        if requested is not None:
            return int(requested), f"buffers={requested} at the declaration"
        want, rule = self.loop_rule()
        live = self.live.get(key, 1)
        if live > want:
            return live, f"{rule}; {live} live at once"
        return want, rule

    def loop_rule(self):
        if not self.loops:
            return 1, "declared outside loops"
        if any(l.kind == "sequential_range" for l in self.loops):
            n = int(self.compiler["sequential_buffers"])
            return n, f"inside sequential_range: {n}"
        iterations = math.prod(l.trips for l in self.loops)
        rule = self.compiler["loop_buffers"]
        if rule == "auto":
            limit = int(self.compiler["auto_buffer_limit"])
            if iterations <= limit:
                return max(1, iterations), f"loops of {iterations} iterations (<= {limit}): one per iteration"
            return 1, f"loops of {iterations} iterations (> {limit}): one"
        n = max(1, min(int(rule), iterations))
        return n, f"loop_buffers={rule}, {iterations} iterations"

    def live_at_once(self):
        """After the sizing pass: per declaration, the buffers a rotation needs so that no tile
        is overwritten while it is still used: for each tile, the later tiles of the same
        declaration allocated before its last use, plus one."""
        need = {}
        for core, pools in enumerate(self.pools):
            for key, pool in pools.items():
                records = pool.records
                worst = 1
                for i, (_, s) in enumerate(records):
                    if s.last is None:
                        continue
                    later = 0
                    for at, _ in records[i + 1:]:
                        if at > s.last:
                            break
                        later += 1
                    worst = max(worst, later + 1)
                need[(core,) + key] = worst
        return need

    def allocate(self, shape, dtype, space, site, buffers=None, name=None):
        dtype = as_dtype(dtype)
        shape = tuple(int(s) for s in shape)
        api = "nl.ndarray"
        if not shape or any(s < 1 for s in shape):
            raise KernelError(f"{site}: {api}: shape {shape} must have positive sizes", located=True)
        if shape[0] > self.limits["partitions"]:
            raise KernelError(f"{site}: {api}: partition dimension {shape[0]} exceeds {self.limits['partitions']} "
                              f"(shape {shape}, {space})", located=True)
        per_partition = math.prod(shape[1:]) * dtype.size
        core = self.core
        if space == "sbuf":
            unit = (per_partition + 63) // 64 * 64
            capacity, used = self.limits["sbuf_partition_bytes"], self.sbuf_used[core]
        else:
            bank = self.limits["psum_bank_bytes"]
            if per_partition > self.limits["psum_partition_bytes"]:
                raise KernelError(f"{site}: {api}: PSUM tile {shape} {dtype.name} needs {per_partition} bytes per "
                                  f"partition, more than PSUM's {self.limits['psum_partition_bytes']}", located=True)
            unit = (per_partition + bank - 1) // bank * bank
            capacity, used = self.limits["psum_partition_bytes"], self.psum_banks[core] * bank
        key = (declaration_key(), site, space, unit)
        pool = self.pools[core].get(key)
        if pool is None and self.sizing:
            pool = Pool(space, used, unit, 1 << 40, site, "sizing")
            self.pools[core][key] = pool
            if space == "sbuf":  # distinct addresses for every tile: no capacity in this pass
                self.sbuf_used[core] += unit << 20
            else:
                self.psum_banks[core] += unit << 20
        if pool is None:
            want, rule = self.buffers_for((core,) + key, buffers)
            fits = (capacity - used) // unit
            live = self.live.get((core,) + key, 1)
            if fits < live:
                taken = ", ".join(f"{p.site} {p.buffer_bytes}x{p.bufs}" for p in self.pools[core].values() if p.space == space)
                name = "SBUF" if space == "sbuf" else "PSUM"
                live_text = f" x {live} live at once" if live > 1 else ""
                raise KernelError(f"{site}: {api}: {name} overflow: a {shape} {dtype.name} tile needs {unit} bytes per "
                                  f"partition{live_text}, but {used} of {capacity} are taken ({taken})", located=True)
            if fits < 1:
                taken = ", ".join(f"{p.site} {p.buffer_bytes}x{p.bufs}" for p in self.pools[core].values() if p.space == space)
                name = "SBUF" if space == "sbuf" else "PSUM"
                raise KernelError(f"{site}: {api}: {name} overflow: a {shape} {dtype.name} tile needs {unit} bytes per "
                                  f"partition, but {used} of {capacity} are taken ({taken})", located=True)
            bufs = min(want, fits)
            if bufs < want:
                rule += f"; reduced from {want} to {bufs} to fit {space.upper()}"
            pool = Pool(space, used, unit, bufs, site, rule)
            pool.name = name or site
            pool.column = call_column()
            self.pools[core][key] = pool
            if space == "sbuf":
                self.sbuf_used[core] += unit * bufs
            else:
                self.psum_banks[core] += unit * bufs // self.limits["psum_bank_bytes"]
        s = Storage(space, dtype, shape, site, base=pool.base + pool.next * pool.buffer_bytes)
        s.pool, s.slot, s.core = pool, pool.next, core
        pool.generations += 1
        s.generation = pool.generations
        pool.owner[pool.next] = s.generation
        pool.next = (pool.next + 1) % pool.bufs
        pool.allocations += 1
        pool.records.append((len(self.cores[core]), s))
        self.storages.append(s)
        return full_view(s)

    # --- instructions -------------------------------------------------------------------------
    def use(self, x, api, role):
        """The tensor behind an operand, checked: placed if pending, still holding its data."""
        if isinstance(x, PendingMatmul):
            x = x.place()
        if not isinstance(x, Tensor):
            fail(api, f"{role} must be a tensor, not {type(x).__name__}")
        s = x.storage
        if s.on_chip:
            if s.core != self.core:
                fail(api, f"{role} is a tile of core {s.core} used on core {self.core}")
            if s.pool.owner[s.slot] != s.generation:
                fail(api, f"{role} (the tile declared at {s.site}) was overwritten: its buffer went to a later tile "
                     f"declared there ({s.pool.bufs} rotating buffer(s): {s.pool.rule}); give it more with "
                     f"nl.ndarray(..., buffers=N) or declare it outside the loop")
        return x

    def emit(self, fields, reads, writes, site):
        index = len(self.cores[self.core])
        fields["source"] = site
        self.cores[self.core].append(fields)
        for t, write in [(t, False) for t in reads] + [(t, True) for t in writes]:
            s = t.storage
            if write:
                if not s.written and t.size == math.prod(s.shape):
                    s.made_by = index  # its whole content comes from this instruction
                s.written = True
                s.boxes.append(box(t))
            else:
                s.read = True
            if s.on_chip:
                s.first = index if s.first is None else s.first
                s.last = index
        return index

    def engine(self, engine, default_key, allowed, api):
        if engine is None or str(engine) in ("unknown", "engine.unknown"):
            name = self.compiler[default_key] if default_key else allowed[0]
            self.engine_defaults.add(f"{api}: {name}")
            return name
        name = _ENGINES.get(str(engine).replace("engine.", "").replace("_engine", ""))
        if name not in allowed:
            fail(api, f"engine {engine} is not one trn2sim runs it on ({', '.join(allowed)})")
        return name

    def queue_for(self, dst, src):
        policy = self.compiler["dma_queues"]
        if policy == "round_robin":
            q = self.next_queue[self.core]
            self.next_queue[self.core] = (q + 1) % self.limits["dma_queues"]
        elif policy == "by_direction":
            from_hbm, to_hbm = src.storage.space == "hbm", dst.storage.space == "hbm"
            # loads 0, stores 1, on-chip copies 2, HBM to HBM 3
            q = {(True, False): 0, (False, True): 1, (False, False): 2, (True, True): 3}[(from_hbm, to_hbm)]
        else:
            raise KernelError(f"compiler option dma_queues={policy!r}: use 'by_direction' or 'round_robin'")
        self.queues_used.add(q)
        return q

    def matmul(self, dst, stationary, moving, accumulate, site):
        api = "nisa.nc_matmul"
        if accumulate is None:  # NKI: accumulate onto what an earlier instruction wrote there
            accumulate = written_before(dst)
        fields = {"op": "nc_matmul", "engine": "pe", "dst": pattern(dst, api, "dst"),
                  "src": pattern(stationary, api, "stationary"), "moving": pattern(moving, api, "moving")}
        if accumulate:
            fields["accumulate"] = True
        reads = [stationary, moving] + ([dst] if accumulate else [])
        return self.emit(fields, reads, [dst], site)

    def assign(self, target, value, site):
        """`tile[index] = value`: a product placed there, a result retargeted there if it was
        just made (nl.load, nl.add, ... into a fresh tile: the instruction writes the target
        instead), a copy otherwise; a number fills it."""
        from .nki import isa as nisa
        if isinstance(value, Tensor) and same_view(value, target):
            return  # `tile[i] += nc_matmul(...)` stores back what it accumulated into
        if isinstance(value, PendingMatmul) and value.placed is None:
            target = self.use(target, "=", "target")
            check_shapes("nisa.nc_matmul", target.shape, value.shape, "target", "the product")
            self.matmul(target, value.stationary, value.moving, None, value.site)
            value.placed = target
            return
        if isinstance(value, (int, float)):
            nisa.memset(dst=target, value=value)
            return
        value = self.use(value, "=", "value")
        target = self.use(target, "=", "target")
        check_shapes("=", target.shape, value.shape, "target", "value")
        s, stream = value.storage, self.cores[self.core]
        writable = target.storage.space == "sbuf" or (target.storage.space == "psum" and stream and
                                                      stream[-1]["op"] != "dma_copy")
        if s.on_chip and stream and s.made_by == len(stream) - 1 and not s.read and writable:
            fields = stream[-1]
            fields["dst"] = pattern(target, "=", "target")
            s.written, s.made_by, s.boxes, s.first, s.last = False, None, [], None, None
            t = target.storage
            t.written = True
            t.boxes.append(box(target))
            if t.on_chip:
                t.first = len(stream) - 1 if t.first is None else t.first
                t.last = len(stream) - 1
            return
        if target.storage.on_chip and value.storage.on_chip:
            nisa.tensor_copy(dst=target, src=value)
        else:
            nisa.dma_copy(dst=target, src=value)

    def accumulate_into(self, dst, other):
        if not isinstance(other, PendingMatmul) or other.placed is not None:
            fail("+=", "only `psum_tile += nisa.nc_matmul(...)` (or nl.matmul) accumulates in place; "
                 "write nl.add / nisa.tensor_tensor for other sums")
        dst = self.use(dst, "nisa.nc_matmul", "dst")
        if dst.storage.space != "psum":
            fail("nisa.nc_matmul", f"accumulates into PSUM, and the += target is in {dst.storage.space}")
        check_shapes("nisa.nc_matmul", dst.shape, other.shape, "dst", "the product")
        self.matmul(dst, other.stationary, other.moving, None, other.site)
        other.placed = dst
        return dst

    # --- the program ----------------------------------------------------------------------
    def to_program(self, read_only):
        tensors = []
        for s in self.tensors:
            t = {"name": s.name, "dtype": s.dtype.name, "shape": list(s.shape)}
            if s.name in read_only and not s.written:
                t["read_only"] = True
            tensors.append(t)
        allocations = [{"core": s.core, "space": s.space, "name": s.pool.name, "base": s.base, "bytes": s.pool.buffer_bytes,
                        "first": s.first, "last": s.last} for s in self.storages if s.first is not None]
        return {"kernel": self.kernel_name, "infer_deps": True, "tensors": tensors, "cores": self.cores,
                "allocations": allocations}

    def front_end_report(self):
        pools = []
        for core, by_key in enumerate(self.pools):
            for p in by_key.values():
                pools.append({"core": core, "tile": p.site, "column": p.column, "name": p.name, "space": p.space,
                              "bytes_per_partition": p.buffer_bytes, "buffers": p.bufs,
                              "allocations": p.allocations, "rule": p.rule})
        return {"programs": self.programs, "compiler": dict(self.compiler), "buffers": pools,
                "dma_queues_used": sorted(self.queues_used),
                "engines_chosen": sorted(self.engine_defaults),
                "sbuf_bytes_per_partition": max(self.sbuf_used), "psum_banks": max(self.psum_banks)}


def full_view(storage):
    """The whole of a storage, row-major; on chip, the first axis on the partitions."""
    shape = storage.shape
    if storage.on_chip and len(shape) == 1:
        return Tensor(storage, storage.dtype, 0, [[1, shape[0]]], 0)
    if storage.on_chip:
        return Tensor(storage, storage.dtype, 0, [[1, shape[0]]] + _row_major(shape[1:]), 0)
    return Tensor(storage, storage.dtype, 0, _row_major(shape), 0)


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
