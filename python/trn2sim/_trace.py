"""The tracer: runs a kernel's Python once per program and records what the compiler would
emit. It allocates SBUF/PSUM (_allocator.py), assigns DMA queues, picks engines left to the
compiler, and writes a trn2sim program (JSON) whose dependencies the simulator infers from
memory footprints (`infer_deps`, the C++ kernel builder's logic: it is not written twice).

Every compiler choice is a documented default with an override (`compiler=` of simulate,
`buffers=` of nl.ndarray), and the report's `front_end` block lists what was applied.
"""
import math

from ._allocator import Allocator, Pool, per_partition_bytes
from ._errors import KernelError
from ._patterns import box, check_shapes, full_view, is_whole, pattern, same_view, written_before
from ._sites import call_column, call_site, declaration_key, fail
from ._tensor import Storage, Tensor, as_dtype

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
    # The PE transposes against an identity matrix the compiler loads from HBM into SBUF once
    # per core, on a queue of its own (the asst4 transpose's NEFF: [128, 32] fp32 on a third
    # queue, docs/validation.md); the first transpose waits for it.
    "pe_transpose_identity": True,
    # Engines for instructions whose engine the kernel leaves to the compiler.
    "tensor_copy_engine": "dve",
    "memset_engine": "dve",
}
_ENGINES = {"dve": "dve", "vector": "dve", "act": "act", "scalar": "act", "pool": "pool", "gpsimd": "pool",
            "pe": "pe", "tensor": "pe"}
# What each engine's instructions may write (the DMA also writes HBM).
_WRITES = {"pe": ("psum",), "dma": ("sbuf", "hbm"), "dve": ("sbuf", "psum"), "act": ("sbuf", "psum"),
           "pool": ("sbuf", "psum")}


def current():
    if _current is None:
        raise KernelError("nki calls must run inside trn2sim.simulate(kernel, ...)")
    return _current


def check_compiler(options):
    """The compiler options with the defaults filled in, each checked."""
    merged = dict(DEFAULT_COMPILER)
    for k, v in (options or {}).items():
        if k not in DEFAULT_COMPILER:
            raise KernelError(f"compiler option {k!r} is unknown (known: {', '.join(DEFAULT_COMPILER)})")
        merged[k] = v

    def positive(k):
        v = merged[k]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise KernelError(f"compiler option {k}={v!r} must be a positive integer")

    if merged["loop_buffers"] != "auto":
        positive("loop_buffers")
    positive("auto_buffer_limit")
    positive("sequential_buffers")
    if merged["dma_queues"] not in ("by_direction", "round_robin"):
        raise KernelError(f"compiler option dma_queues={merged['dma_queues']!r}: use 'by_direction' or 'round_robin'")
    if not isinstance(merged["pe_transpose_identity"], bool):
        raise KernelError(f"compiler option pe_transpose_identity={merged['pe_transpose_identity']!r}: True or False")
    for k in ("tensor_copy_engine", "memset_engine"):
        if merged[k] not in ("dve", "act", "pool"):
            raise KernelError(f"compiler option {k}={merged[k]!r}: use 'dve', 'act' or 'pool'")
    return merged


class Loop:
    def __init__(self, kind, trips):
        self.kind, self.trips = kind, trips


class PendingMatmul:
    """An earlier-API `nisa.nc_matmul(a, b)`: `acc += it` accumulates into acc and
    `tile[...] = it` writes it there; otherwise it is placed in a new PSUM tile (declared at
    the call) before the next instruction, so that it reads its operands as they are now."""

    def __init__(self, tracer, stationary, moving, shape, perf_mode="none"):
        self.tracer, self.stationary, self.moving, self.perf_mode = tracer, stationary, moving, perf_mode
        self.site, self.key, self.column = call_site(), declaration_key(), call_column()
        self.placed = None
        self.dtype = as_dtype("float32")
        self.shape = tuple(shape)
        tracer.pending.append(self)

    def place(self):
        if self.placed is None:
            self.placed = True  # (re-entry: the matmul below emits)
            dst = self.tracer.allocate(self.shape, self.dtype, "psum", "nisa.nc_matmul", implicit=True,
                                       at=(self.site, self.key, self.column))
            self.tracer.matmul(dst, self.stationary, self.moving, False, self.site, self.perf_mode)
            self.placed = dst
        return self.placed

    def __getattr__(self, name):  # size, ndim, ap, reshape, ...: those of the placed tile
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.place(), name)

    def __getitem__(self, index):
        return self.place()[index]

    def __add__(self, o): return self.place() + o
    def __radd__(self, o): return o + self.place()
    def __sub__(self, o): return self.place() - o
    def __rsub__(self, o): return o - self.place()
    def __mul__(self, o): return self.place() * o
    def __rmul__(self, o): return o * self.place()
    def __truediv__(self, o): return self.place() / o
    def __neg__(self): return -self.place()


class Tracer:
    def __init__(self, limits, compiler, cores, kernel_name, sizing=None):
        """`sizing`: None for the sizing pass, else the finished sizing pass's tracer, whose
        liveness sizes the pools and whose assignments say which results may be retargeted."""
        self.limits = limits
        self.compiler = check_compiler(compiler)
        self.kernel_name = kernel_name
        self.cores = [[] for _ in range(cores)]
        self.core = 0
        self.program = 0
        self.grid = (1,)
        self.loops = []
        self.tensors = []           # HBM storages, in declaration order
        self.shared = []            # HBM tensors the kernel made, in order (shared by programs)
        self.shared_seen = 0
        self.memory = Allocator(limits, cores, None if sizing is None else sizing.memory.make_plan())
        self.retargetable = set() if sizing is None else sizing.retarget_ok()
        self.assigned = []          # sizing pass: results assigned into tiles (retarget candidates)
        self.storages = []          # on-chip storages, for allocation records
        self.pending = []
        # The PE transposes' identity: which cores transpose (known after the sizing pass),
        # and per core the load the first transpose still has to wait for.
        self.transposing = set() if sizing is None else set(sizing.transposing)
        self.identity_load = {}
        self.next_queue = [0] * cores
        self.queues_used = set()
        self.engine_defaults = set()

    # --- programs and loops ------------------------------------------------------------
    def start_program(self, program, grid, core):
        self.program, self.grid, self.core = program, grid, core
        self.shared_seen = 0
        self.loops = []
        if core in self.transposing and core not in self.identity_load:
            self.load_identity()  # first, as the compiler places it

    _IDENTITY_AT = ("<the compiler's identity for PE transposes>", ("identity",), 0)

    def load_identity(self):
        """The identity matrix the PE's transposes use, loaded into SBUF on this core: the
        compiler's load (docs/python.md), on queue 2 with by_direction queues."""
        if not self.compiler["pe_transpose_identity"]:
            self.identity_load[self.core] = None
            return
        made = [t for t in self.tensors if t.compiler_made]
        if not made:
            made = [self.hbm_tensor("identity", "float32", (128, 32), "compiler")]
            made[0].compiler_made = True
        hbm = full_view(made[0])
        tile = self.allocate((128, 32), "float32", "sbuf", "nc_transpose", name="identity", at=self._IDENTITY_AT)
        queue = 2 if self.compiler["dma_queues"] == "by_direction" else self.queue_for(tile, hbm)
        self.queues_used.add(queue)
        fields = {"op": "dma_copy", "engine": "dma", "queue": queue, "dst": pattern(tile, "identity", "dst"),
                  "src": pattern(hbm, "identity", "src")}
        self.identity_load[self.core] = self.emit(fields, [hbm], [tile], "compiler: identity for PE transposes")

    def before_transpose(self, fields):
        """A PE transpose: the first on its core waits for the identity (loaded here in the
        sizing pass, which only learns now that the core transposes)."""
        self.transposing.add(self.core)
        if self.core not in self.identity_load:
            self.load_identity()
        load = self.identity_load.get(self.core)
        if load is not None:
            fields["deps"] = [load]
            self.identity_load[self.core] = None

    def end_program(self):
        self.place_pending()

    @property
    def programs(self):
        return math.prod(self.grid)

    def program_id(self, axis):
        if not 0 <= axis < len(self.grid):
            raise KernelError(f"axis {axis}: the launch grid {self.grid} has {len(self.grid)} axes")
        index = self.program
        for n in reversed(self.grid[axis + 1:]):
            index //= n
        return index % self.grid[axis]

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

    def new_hbm(self, shape, dtype, site, name=None, private=False):
        """An HBM tensor the kernel declares. Shared ones (nl.shared_hbm, nl.hbm) are one per
        declaration, shared by every program (SPMD programs declare the same tensors in the
        same order); a private one (nl.private_hbm) is each program's own."""
        if not shape or any(isinstance(n, bool) or not hasattr(n, "__index__") or n < 1 for n in shape):
            fail("nl.ndarray", f"shape {tuple(shape)!r} must be positive integers")
        shape = tuple(int(n) for n in shape)
        if private:
            s = self.hbm_tensor(f"{name or 'scratch'}_p{self.program}", dtype, shape, site)
            s.kernel_made = True
            return full_view(s)
        if self.shared_seen < len(self.shared):
            s = self.shared[self.shared_seen]
            if s.shape != tuple(shape) or s.dtype is not as_dtype(dtype):
                fail("nl.ndarray", f"program {self.program} declares HBM tensor {self.shared_seen} as {tuple(shape)} "
                     f"{as_dtype(dtype).name}, program 0 as {s.shape} {s.dtype.name}")
        else:
            s = self.hbm_tensor(name or f"out{len(self.shared)}", dtype, shape, site)
            s.kernel_made = True
            self.shared.append(s)
        self.shared_seen += 1
        return full_view(s)

    # --- on-chip allocation -----------------------------------------------------------------
    def loop_rule(self):
        """What the loops around a declaration want for it, and why."""
        if not self.loops:
            return 1, "declared outside loops"
        if any(l.kind == "sequential_range" for l in self.loops):
            n = self.compiler["sequential_buffers"]
            return n, f"inside sequential_range: {n}"
        iterations = math.prod(l.trips for l in self.loops)
        rule = self.compiler["loop_buffers"]
        if rule == "auto":
            limit = self.compiler["auto_buffer_limit"]
            if iterations <= limit:
                return max(1, iterations), f"loops of {iterations} iterations (<= {limit}): one per iteration"
            return 1, f"loops of {iterations} iterations (> {limit}): one"
        n = max(1, min(rule, iterations))
        return n, f"loop_buffers={rule}, {iterations} iterations"

    def allocate(self, shape, dtype, space, api, buffers=None, name=None, implicit=False, at=None):
        """A new tile: the next buffer of its declaration's pool. `at`: (site, key, column)
        when the declaration is not the current call (a placed product)."""
        dtype = as_dtype(dtype)
        site, key, column = at or (call_site(), declaration_key(), call_column())
        if not isinstance(shape, (tuple, list)) or not shape or \
                any(isinstance(n, bool) or not hasattr(n, "__index__") or n < 1 for n in shape):
            raise KernelError(f"{site}: {api}: shape {shape!r} must be positive integers", located=True)
        if any(getattr(n, "par_dim", False) for n in shape[1:]):
            raise KernelError(f"{site}: {api}: nl.par_dim marks the first (partition) dimension only", located=True)
        shape = tuple(int(n) for n in shape)
        if shape[0] > self.limits["partitions"]:
            raise KernelError(f"{site}: {api}: partition dimension {shape[0]} exceeds {self.limits['partitions']} "
                              f"(shape {shape}, {space})", located=True)
        if buffers is not None and (isinstance(buffers, bool) or not isinstance(buffers, int) or buffers < 1):
            raise KernelError(f"{site}: {api}: buffers={buffers!r} must be a positive integer", located=True)
        per_partition = per_partition_bytes(shape, dtype)
        if space == "psum" and per_partition > self.limits["psum_partition_bytes"]:
            raise KernelError(f"{site}: {api}: PSUM tile {shape} {dtype.name} needs {per_partition} bytes per "
                              f"partition, more than PSUM's {self.limits['psum_partition_bytes']}", located=True)
        unit = self.memory.unit(space, per_partition)
        full_key = (key, site, space, unit)

        def make():
            pool = Pool(space, unit, site, column, name, api, shape, dtype)
            pool.requested = buffers
            return pool

        pool = self.memory.pool(self.core, full_key, make, self.loop_rule)
        s = self.memory.take(pool, self.core, full_key, len(self.cores[self.core]))
        s.shape, s.dtype, s.implicit = shape, dtype, implicit
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
            if s.assigned:
                s.used_after_assignment = True
        return x

    def place_pending(self):
        pending, self.pending = self.pending, []
        for p in pending:
            if p.placed is None:
                p.place()

    def emit(self, fields, reads, writes, site):
        self.place_pending()
        stream = self.cores[self.core]
        index = len(stream)
        fields["source"] = site
        stream.append(fields)
        for t in reads:
            t.storage.read = True
            self._touch(t.storage, index)
        for t in writes:
            s = t.storage
            if not s.written and is_whole(t):
                s.made_by = index  # all of it comes from this instruction
            s.written = True
            s.boxes.append(box(t))
            self._touch(s, index)
        return index

    @staticmethod
    def _touch(s, index):
        if s.on_chip:
            s.first = index if s.first is None else s.first
            s.last = index

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
        if self.compiler["dma_queues"] == "round_robin":
            q = self.next_queue[self.core]
            self.next_queue[self.core] = (q + 1) % self.limits["dma_queues"]
        else:
            from_hbm, to_hbm = src.storage.space == "hbm", dst.storage.space == "hbm"
            # loads 0, stores 1, on-chip copies 2, HBM to HBM 3
            q = {(True, False): 0, (False, True): 1, (False, False): 2, (True, True): 3}[(from_hbm, to_hbm)]
        self.queues_used.add(q)
        return q

    def matmul(self, dst, stationary, moving, accumulate, site, perf_mode="none"):
        api = "nisa.nc_matmul"
        if accumulate is None:  # nki.isa.nc_matmul: "first write overwrites, subsequent writes accumulate"
            accumulate = written_before(dst)
        fields = {"op": "nc_matmul", "engine": "pe", "dst": pattern(dst, api, "dst"),
                  "src": pattern(stationary, api, "stationary"), "moving": pattern(moving, api, "moving")}
        if accumulate:
            fields["accumulate"] = True
        if perf_mode != "none":
            fields["perf_mode"] = perf_mode
        reads = [stationary, moving] + ([dst] if accumulate else [])
        return self.emit(fields, reads, [dst], site)

    # --- assignment: tile[...] = value, tile += product ------------------------------------------
    def assign(self, target, value):
        """`tile[index] = value`: a product is written there (overwriting), a number fills it, a
        result just made is written there by the instruction that made it (no copy) when that
        is safe, else the value is copied."""
        from .nki import isa as nisa
        if isinstance(value, Tensor) and same_view(value, target):
            return  # `tile[i] += product` stores back the view it accumulated into
        if isinstance(value, PendingMatmul) and value.placed is None:
            target = self.use(target, "=", "target")
            if target.storage.space != "psum" or target.dtype.name != "float32":
                fail("nisa.nc_matmul", f"the product goes to fp32 PSUM; the target is a {target.dtype.name} "
                     f"{target.storage.space} tile (copy it out with nl.copy)")
            check_shapes("nisa.nc_matmul", target.shape, value.shape, "target", "the product")
            value.placed = target  # consumed here: not placed on its own before the matmul
            self.matmul(target, value.stationary, value.moving, False, value.site, value.perf_mode)
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            nisa.memset(dst=target, value=value)
            return
        value = self.use(value, "=", "value")
        target = self.use(target, "=", "target")
        check_shapes("=", target.shape, value.shape, "target", "value")
        candidate = self.can_retarget(target, value)
        if candidate and not self.memory.sizing and value.storage.ident in self.retargetable:
            self.retarget(target, value)
            return
        if target.storage.on_chip and value.storage.on_chip:
            nisa.tensor_copy(dst=target, src=value)
        else:
            nisa.dma_copy(dst=target, src=value)
        if candidate and self.memory.sizing:
            value.storage.assigned = True  # retargeted in the next pass if nothing uses it again
            self.assigned.append(value.storage)

    def can_retarget(self, target, value):
        """Whether the instruction that made `value` could write `target` instead: value is a
        whole result tile the front end made (nl.load, nl.add, ...), all of it by the last
        instruction, not read since, in target's dtype, by an engine that can write target."""
        s, stream = value.storage, self.cores[self.core]
        if not (s.on_chip and s.implicit and is_whole(value) and not s.read):
            return False
        if s.made_by is None or s.made_by != len(stream) - 1 or value.dtype is not target.dtype:
            return False
        return target.storage.space in _WRITES[stream[-1]["engine"]]

    def retarget(self, target, value):
        """The last instruction writes `target` instead of `value`'s tile, which is left unused."""
        stream = self.cores[self.core]
        stream[-1]["dst"] = pattern(target, "=", "target")
        s = value.storage
        s.written, s.made_by, s.boxes, s.first, s.last = False, None, [], None, None
        t = target.storage
        t.written = True
        t.boxes.append(box(target))
        self._touch(t, len(stream) - 1)

    def retarget_ok(self):
        """After the sizing pass: the results whose assignment may be a retarget (nothing used
        them after)."""
        return {s.ident for s in self.assigned if not s.used_after_assignment}

    def accumulate_into(self, dst, other):
        if not isinstance(other, PendingMatmul) or other.placed is not None:
            fail("+=", "only `psum_tile += nisa.nc_matmul(...)` (or nl.matmul) accumulates in place; "
                 "write nl.add / nisa.tensor_tensor for other sums")
        dst = self.use(dst, "nisa.nc_matmul", "dst")
        if dst.storage.space != "psum":
            fail("nisa.nc_matmul", f"accumulates into PSUM, and the += target is in {dst.storage.space}")
        check_shapes("nisa.nc_matmul", dst.shape, other.shape, "dst", "the product")
        other.placed = dst  # consumed here: not placed on its own before the matmul
        self.matmul(dst, other.stationary, other.moving, None, other.site, other.perf_mode)
        return dst

    # --- the program ----------------------------------------------------------------------
    def to_program(self, read_only):
        tensors = []
        for s in self.tensors:
            t = {"name": s.name, "dtype": s.dtype.name, "shape": list(s.shape)}
            if (s.name in read_only or s.compiler_made) and not s.written:
                t["read_only"] = True
            tensors.append(t)
        allocations = [{"core": s.core, "space": s.space, "name": s.pool.name, "base": s.base, "bytes": s.pool.unit,
                        "first": s.first, "last": s.last} for s in self.storages if s.first is not None]
        return {"kernel": self.kernel_name, "infer_deps": True, "tensors": tensors, "cores": self.cores,
                "allocations": allocations}

    def front_end_report(self):
        return {"grid": list(self.grid), "compiler": dict(self.compiler), "buffers": self.memory.report(),
                "dma_queues_used": sorted(self.queues_used), "engines_chosen": sorted(self.engine_defaults),
                "sbuf_bytes_per_partition": self.memory.used("sbuf"),
                "psum_banks": self.memory.used("psum") // self.limits["psum_bank_bytes"]}
