"""SBUF and PSUM as the compiler allocates them: a pool of rotating buffers per tile
declaration (the call expression that makes a tile) and core.

A kernel is traced twice. The sizing pass gives every tile a buffer of its own and records,
per declaration, how many of its tiles are live at once (a tile is live from its allocation
to its last use). `plan()` then sizes every pool before the second pass: first each pool's
live need (or its explicit `buffers=N`), in the order declarations are first reached, which
must fit (else the error names the bytes); then what is left goes to the pools whose loop
rule wants more buffers, one buffer each in turn, so that no declaration starves another."""
import math

from ._errors import KernelError
from ._tensor import Storage

SIZING_STRIDE = 1 << 20  # sizing pass: each tile its own addresses, no capacity


class Pool:
    """The buffers of one declaration on one core."""

    def __init__(self, space, unit, site, column, name, api, shape, dtype):
        self.space, self.unit = space, unit          # unit: bytes per partition of one buffer
        self.site, self.column, self.name, self.api = site, column, name or site, api
        self.shape, self.dtype = shape, dtype        # of its first tile, for messages
        self.requested, self.want, self.rule = None, 1, ""
        self.base, self.bufs = 0, 1
        self.next = 0
        self.owner = {}      # buffer -> generation of the storage holding it
        self.generations = 0
        self.records = []    # (instructions emitted when allocated, storage), in order

    def live_at_once(self):
        """The buffers a rotation needs so that no tile is overwritten while still used: for
        each tile, the later tiles allocated before its last use, plus one."""
        worst = 1
        for i, (_, s) in enumerate(self.records):
            if s.last is None:
                continue
            later = 0
            for at, _ in self.records[i + 1:]:
                if at > s.last:
                    break
                later += 1
            worst = max(worst, later + 1)
        return worst


class Allocator:
    def __init__(self, limits, cores, plan=None):
        self.limits = limits
        self.sizing = plan is None
        self.plan = plan or {}
        self.pools = [dict() for _ in range(cores)]   # per core: key -> Pool, in first-reached order
        self.cursor = [0] * cores

    def capacity(self, space):
        return self.limits["sbuf_partition_bytes" if space == "sbuf" else "psum_partition_bytes"]

    def unit(self, space, per_partition):
        if space == "sbuf":
            return (per_partition + 63) // 64 * 64
        bank = self.limits["psum_bank_bytes"]
        return (per_partition + bank - 1) // bank * bank

    def pool(self, core, key, make, loop_rule):
        """The pool of declaration `key` on `core`; `make()` builds a new one, `loop_rule()`
        says what the loops want for it."""
        pool = self.pools[core].get(key)
        if pool is not None:
            return pool
        pool = make()
        if pool.requested is None:
            pool.want, pool.rule = loop_rule()
        else:
            pool.want, pool.rule = pool.requested, f"buffers={pool.requested} at the declaration"
        if self.sizing:
            pool.base, pool.bufs = self.cursor[core], 1 << 40
            self.cursor[core] += pool.unit * SIZING_STRIDE
        else:
            planned = self.plan.get((core,) + key)
            if planned is None:
                raise KernelError(f"{pool.site}: {pool.api}: this tile was not declared when the kernel was traced the "
                                  "first time; trn2sim traces a kernel twice and needs the same tiles both times",
                                  located=True)
            pool.base, pool.bufs, pool.rule = planned
        self.pools[core][key] = pool
        return pool

    def take(self, pool, core, key, emitted):
        """The pool's next buffer, as a new storage."""
        s = Storage(pool.space, pool.dtype, pool.shape, pool.site, base=pool.base + pool.next * pool.unit)
        s.pool, s.slot, s.core = pool, pool.next, core
        s.ident = (core,) + key + (len(pool.records),)
        pool.generations += 1
        s.generation = pool.generations
        pool.owner[pool.next] = s.generation
        pool.next = (pool.next + 1) % pool.bufs
        pool.records.append((emitted, s))
        return s

    def make_plan(self):
        """After the sizing pass: (base, buffers, rule) per (core, key)."""
        plan = {}
        for core, pools in enumerate(self.pools):
            for space in ("sbuf", "psum"):
                members = [(k, p) for k, p in pools.items() if p.space == space]
                plan.update(self._plan_space(core, space, members))
        return plan

    def _plan_space(self, core, space, members):
        capacity = self.capacity(space)
        live = {k: p.live_at_once() for k, p in members}
        target = {k: p.requested if p.requested is not None else max(p.want, live[k]) for k, p in members}
        bufs = {k: p.requested if p.requested is not None else live[k] for k, p in members}
        used = 0
        for i, (k, p) in enumerate(members):
            if used + bufs[k] * p.unit > capacity:
                taken = ", ".join(f"{q.site} {q.unit}x{bufs[kq]}" for kq, q in members[:i])
                _overflow(space, p, bufs[k], used, capacity, taken)
            used += bufs[k] * p.unit
        grew = True
        while grew:  # the rest, one buffer per wanting pool in turn
            grew = False
            for k, p in members:
                if bufs[k] < target[k] and used + p.unit <= capacity:
                    bufs[k] += 1
                    used += p.unit
                    grew = True
        plan, base = {}, 0
        for k, p in members:
            rule = p.rule
            if p.requested is None and live[k] > p.want:
                rule += f"; {live[k]} live at once"
            if bufs[k] < target[k]:
                rule += f"; {bufs[k]} of {target[k]} fit {space.upper()}"
            plan[(core,) + k] = (base, bufs[k], rule)
            base += bufs[k] * p.unit
        return plan

    def report(self):
        out = []
        for core, pools in enumerate(self.pools):
            for p in pools.values():
                out.append({"core": core, "tile": p.site, "column": p.column, "name": p.name, "space": p.space,
                            "bytes_per_partition": p.unit, "buffers": p.bufs, "allocations": len(p.records),
                            "rule": p.rule})
        return out

    def used(self, space):
        """The most bytes per partition of `space` any core's pools take."""
        return max((sum(p.unit * p.bufs for p in pools.values() if p.space == space) for pools in self.pools),
                   default=0)


def _overflow(space, pool, bufs, used, capacity, taken):
    need = f"{pool.unit} bytes per partition" + (f" x {bufs} live at once" if bufs > 1 else "")
    raise KernelError(f"{pool.site}: {pool.api}: {space.upper()} overflow: a {tuple(pool.shape)} {pool.dtype.name} tile "
                      f"needs {need}, but {used} of {capacity} are taken ({taken})", located=True)


def per_partition_bytes(shape, dtype):
    return math.prod(shape[1:]) * dtype.size
