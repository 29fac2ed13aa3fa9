"""Numerics of every call of trn2sim.nki (nki.language and nki.isa), each against numpy.

Each test traces one small kernel that makes several calls and returns one HBM tensor per
call (a simulate() is a child process of some tens of ms). Equality is exact wherever the
model's fp32 operations are IEEE-exact and numpy does the same operations in the same order
(copies, +, -, *, /, max/min, comparisons, sqrt, in-order sums, the PE's in-order fp32
products and sums, round-to-nearest-even conversions). The activation functions exp, tanh,
sigmoid, silu and gelu (and the ALU's pow) are computed by libm in fp32
(sim/hardware/elementwise.cpp: expf, tanhf, erff, powf); they are checked against a float64
reference with rtol 1e-6 (about 8 fp32 ulps; measured: at most 2.1 ulps) and atol 1e-6 (gelu's
1 + erf(x) cancels for negative x: measured up to 4.5e-7 absolute, where results near 0 are all error).

    PYTHONPATH=python TRN2SIM_BINARY=build/trn2sim python3 -m pytest python/tests/test_api.py
"""
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import trn2sim  # noqa: E402
from trn2sim import KernelError, nki  # noqa: E402
from trn2sim._floats import from_bf16_bits, to_bf16_bits  # noqa: E402

nl, nisa = nki.language, nki.isa
f32 = np.float32
P, F = 128, 64
TRANSCENDENTAL = dict(rtol=1e-6, atol=1e-6)  # libm's fp32 functions against float64


def run(kernel, *args, **kwargs):
    """simulate() on one core; the outputs, always as a tuple."""
    out, report = trn2sim.simulate(kernel, *args, lnc=1, **kwargs)
    assert report["total_time_us"] > 0
    return out if isinstance(out, tuple) else (out,)


def hbm(shape, dtype=nl.float32):
    return nl.ndarray(shape, dtype=dtype, buffer=nl.shared_hbm)


def bf16_round(a):
    return from_bf16_bits(to_bf16_bits(np.asarray(a, dtype=f32)))


def in_order(rows, op):
    """Reduce each row left to right in fp32, as the engines do."""
    acc = rows[:, 0].astype(f32)
    for j in range(1, rows.shape[1]):
        acc = op(acc, rows[:, j]).astype(f32)
    return acc


def pe_product(stationary, moving):
    """stationary[K, M]^T @ moving[K, N] as the PE computes it: fp32 products added in
    ascending k, from 0."""
    acc = np.zeros((stationary.shape[1], moving.shape[1]), f32)
    for k in range(stationary.shape[0]):
        acc = acc + stationary[k][:, None].astype(f32) * moving[k][None, :].astype(f32)
    return acc


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# --- nl: load, store, copy, zeros, ones, full -------------------------------------------------
def test_load_store_copy_and_fills(rng):
    a = rng.standard_normal((P, F), dtype=f32)
    v = rng.standard_normal(F, dtype=f32)

    def kernel(a, v):
        outs = [hbm((P, F)) for _ in range(7)]
        t = nl.load(a)
        nl.store(outs[0], value=t)                                   # load + store
        nl.store(outs[1], value=nl.copy(t))                          # nl.copy
        nl.store(outs[2], value=nl.zeros((P, F), nl.float32))
        nl.store(outs[3], value=nl.ones((P, F), nl.float32))
        nl.store(outs[4], value=nl.full((P, F), -2.5, nl.float32))
        nl.store(outs[5], value=nl.copy(t, dtype=nl.bfloat16))      # copy with a dtype: RNE
        nl.store(outs[6], value=nl.load(a, dtype=nl.bfloat16))      # load with a dtype: RNE
        row = nl.load(v)                                             # a 1-D tensor loads as [F, 1]: on the partitions
        vout = hbm((F,))
        nl.store(vout, value=row)
        psum_out = hbm((P, F))
        nl.store(psum_out, value=nl.full((P, F), 7.0, nl.float32, buffer=nl.psum))  # PSUM fill, DMA'd out
        return tuple(outs) + (vout, psum_out)

    out = run(kernel, a, v)
    assert np.array_equal(out[0], a)
    assert np.array_equal(out[1], a)
    assert np.array_equal(out[2], np.zeros((P, F), f32))
    assert np.array_equal(out[3], np.ones((P, F), f32))
    assert np.array_equal(out[4], np.full((P, F), -2.5, f32))
    assert np.array_equal(out[5], bf16_round(a))
    assert np.array_equal(out[6], bf16_round(a))
    assert np.array_equal(out[7], v)
    assert np.array_equal(out[8], np.full((P, F), 7.0, f32))


# --- nl: elementwise binary ops --------------------------------------------------------------------
BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "maximum": np.maximum,
    "minimum": np.minimum, "divide": np.divide, "power": np.power,
    "equal": lambda a, b: (a == b).astype(f32), "greater": lambda a, b: (a > b).astype(f32),
    "greater_equal": lambda a, b: (a >= b).astype(f32), "less": lambda a, b: (a < b).astype(f32),
    "less_equal": lambda a, b: (a <= b).astype(f32),
}
SCALAR = 0.75
# nl.<op>(scalar, tile) and nl.<op>(col [P, 1], tile): the forms the front end lowers
SCALAR_FIRST = ["add", "subtract", "multiply", "maximum", "minimum", "equal"]
COLUMN_FIRST = ["add", "multiply", "maximum", "minimum"]


def test_binary_ops_tile_scalar_and_partition_broadcast(rng):
    # quarters in [0.25, 2]: positive (pow), never 0 (divide), often equal (comparisons)
    x = (rng.integers(1, 9, (P, F)) / 4).astype(f32)
    y = (rng.integers(1, 9, (P, F)) / 4).astype(f32)
    col = (rng.integers(1, 9, (P, 1)) / 4).astype(f32)
    names = list(BINARY)

    def kernel(x, y, col):
        tt, ts, tc = hbm((len(names), P, F)), hbm((len(names), P, F)), hbm((len(names), P, F))
        st, ct = hbm((len(SCALAR_FIRST), P, F)), hbm((len(COLUMN_FIRST), P, F))
        xt, yt, c = nl.load(x), nl.load(y), nl.load(col)
        for i, name in enumerate(names):
            op = getattr(nl, name)
            nl.store(tt[i], value=op(xt, yt))       # tile, tile: tensor_tensor
            nl.store(ts[i], value=op(xt, SCALAR))   # tile, scalar: tensor_scalar
            nl.store(tc[i], value=op(xt, c))        # tile, [P, 1]: tensor_scalar with a tile operand
        for i, name in enumerate(SCALAR_FIRST):
            nl.store(st[i], value=getattr(nl, name)(SCALAR, xt))
        for i, name in enumerate(COLUMN_FIRST):
            nl.store(ct[i], value=getattr(nl, name)(c, xt))
        return tt, ts, tc, st, ct

    tt, ts, tc, st, ct = run(kernel, x, y, col)
    s = f32(SCALAR)
    x64 = x.astype(np.float64)
    for i, name in enumerate(names):
        f = BINARY[name]
        for got, other, form in ((tt[i], y, "tile, tile"), (ts[i], s, "tile, scalar"), (tc[i], col, "tile, [P,1]")):
            if name == "power":  # powf: checked against float64
                np.testing.assert_allclose(got, np.power(x64, np.float64(other)),
                                           err_msg=f"nl.power({form})", **TRANSCENDENTAL)
            else:
                assert np.array_equal(got, f(x, other).astype(f32)), f"nl.{name}({form})"
    for i, name in enumerate(SCALAR_FIRST):
        assert np.array_equal(st[i], BINARY[name](s, x).astype(f32)), f"nl.{name}(scalar, tile)"
    for i, name in enumerate(COLUMN_FIRST):
        assert np.array_equal(ct[i], BINARY[name](np.broadcast_to(col, x.shape), x).astype(f32)), \
            f"nl.{name}([P,1], tile)"


def test_tile_operators(rng):
    """Python's + - * / on tiles are the nl functions."""
    x = rng.standard_normal((P, F), dtype=f32)
    y = rng.uniform(0.5, 2, (P, F)).astype(f32)

    def kernel(x, y):
        outs = [hbm((P, F)) for _ in range(6)]
        a, b = nl.load(x), nl.load(y)
        for o, v in zip(outs, (a + b, a - b, a * b, a / b, 2.0 - a, 3.0 * a)):
            nl.store(o, value=v)
        return tuple(outs)

    out = run(kernel, x, y)
    for got, want, what in zip(out, (x + y, x - y, x * y, x / y, f32(2) - x, f32(3) * x),
                               ("+", "-", "*", "/", "2 - tile", "3 * tile")):
        assert np.array_equal(got, want), what


# --- nl: unary activations ---------------------------------------------------------------------------
def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


UNARY = {  # name: (float64 reference, exact in fp32?)
    "exp": (np.exp, False), "tanh": (np.tanh, False), "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), False),
    "silu": (lambda x: x / (1 + np.exp(-x)), False), "gelu": (_gelu, False),
    "square": (lambda x: x * x, True), "relu": (lambda x: np.maximum(x, 0), True), "copy": (lambda x: x, True),
}
UNARY_POSITIVE = {"sqrt": np.sqrt, "rsqrt": lambda x: f32(1) / np.sqrt(x)}  # both IEEE: exact


def test_unary_activations(rng):
    x = (rng.standard_normal((P, F)) * 3).astype(f32)
    pos = rng.uniform(0.01, 100, (P, F)).astype(f32)
    names, pos_names = list(UNARY), list(UNARY_POSITIVE)

    def kernel(x, pos):
        out, out_pos = hbm((len(names), P, F)), hbm((len(pos_names), P, F))
        xt, pt = nl.load(x), nl.load(pos)
        for i, name in enumerate(names):
            nl.store(out[i], value=getattr(nl, name)(xt))
        for i, name in enumerate(pos_names):
            nl.store(out_pos[i], value=getattr(nl, name)(pt))
        return out, out_pos

    out, out_pos = run(kernel, x, pos)
    for i, name in enumerate(names):
        reference, exact = UNARY[name]
        if exact:
            assert np.array_equal(out[i], reference(x).astype(f32)), f"nl.{name}"
        else:
            np.testing.assert_allclose(out[i], reference(x.astype(np.float64)), err_msg=f"nl.{name}",
                                       **TRANSCENDENTAL)
    for i, name in enumerate(pos_names):
        assert np.array_equal(out_pos[i], UNARY_POSITIVE[name](pos).astype(f32)), f"nl.{name}"


# --- nl: reductions ------------------------------------------------------------------------------------
def test_nl_sum_max_min(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    x3 = rng.standard_normal((P, 4, 16), dtype=f32)

    def kernel(x, x3):
        outs = [hbm((P, 1)) for _ in range(6)]
        t, t3 = nl.load(x), nl.load(x3)
        nl.store(outs[0], value=nl.sum(t, axis=1))
        nl.store(outs[1], value=nl.max(t, axis=1))
        nl.store(outs[2], value=nl.min(t, axis=-1, keepdims=True))
        nl.store(outs[3], value=nl.sum(t3, axis=(1, 2)))          # every free axis of a 3-D tile
        nl.store(outs[4], value=nl.max(t3, axis=[1, 2]))
        nl.store(outs[5], value=nl.sum(t, axis=1, dtype=nl.bfloat16))  # result rounded to bf16
        return tuple(outs)

    out = run(kernel, x, x3)
    flat3 = x3.reshape(P, -1)
    assert np.array_equal(out[0][:, 0], in_order(x, np.add))
    assert np.array_equal(out[1][:, 0], x.max(1))
    assert np.array_equal(out[2][:, 0], x.min(1))
    assert np.array_equal(out[3][:, 0], in_order(flat3, np.add))
    assert np.array_equal(out[4][:, 0], flat3.max(1))
    assert np.array_equal(out[5][:, 0], bf16_round(in_order(x, np.add)))


# --- nl: matmul, transpose -----------------------------------------------------------------------------
def test_nl_matmul_and_transpose(rng):
    xT = rng.standard_normal((128, 64), dtype=f32)     # [K, M]
    y = rng.standard_normal((128, 256), dtype=f32)     # [K, N]
    z = rng.standard_normal((64, 96), dtype=f32)

    def kernel(xT, y, z):
        mm, mm_acc, zt = hbm((64, 256)), hbm((64, 256)), hbm((96, 64))
        a, b = nl.load(xT), nl.load(y)
        nl.store(mm, value=nl.copy(nl.matmul(a, b, transpose_x=True)))   # the product, placed in PSUM
        acc = nl.zeros((64, 256), nl.float32, buffer=nl.psum)
        acc += nl.matmul(a, b, transpose_x=True)
        acc += nl.matmul(a, b, transpose_x=True)                           # accumulates in PSUM
        nl.store(mm_acc, value=nl.copy(acc))
        nl.store(zt, value=nl.copy(nl.transpose(nl.load(z))))
        return mm, mm_acc, zt

    mm, mm_acc, zt = run(kernel, xT, y, z)
    p = pe_product(xT, y)
    assert np.array_equal(mm, p)
    assert np.array_equal(mm_acc, (f32(0) + p) + p)
    assert np.array_equal(zt, z.T)


# --- nisa.dma_copy -------------------------------------------------------------------------------------
def test_dma_copy_casts_and_accumulates(rng):
    a = rng.standard_normal((P, F), dtype=f32)
    b = rng.standard_normal((P, F), dtype=f32)
    c = rng.standard_normal((P, F), dtype=f32)

    def kernel(a, b, c):
        plain, to_bf16, bf16_out, rmw_sbuf, rmw_hbm, hbm_to_hbm, from_bf16 = (
            hbm((P, F)), hbm((P, F)), hbm((P, F), nl.bfloat16), hbm((P, F)), hbm((P, F)), hbm((P, F)), hbm((P, F)))
        t = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)
        nisa.dma_copy(dst=plain, src=t)
        t16 = nl.ndarray((P, F), nl.bfloat16, buffer=nl.sbuf)
        nisa.dma_copy(dst=t16, src=a)                       # fp32 HBM -> bf16 SBUF: RNE
        nisa.dma_copy(dst=to_bf16, src=t16)                 # bf16 SBUF -> fp32 HBM: exact
        nisa.dma_copy(dst=bf16_out, src=t)                  # fp32 SBUF -> bf16 HBM: RNE
        back = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=back, src=bf16_out)               # bf16 HBM -> fp32 SBUF
        nisa.dma_copy(dst=from_bf16, src=back)
        acc = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=acc, src=a)
        nisa.dma_copy(dst=acc, src=b, dst_rmw_op=nl.add)    # SBUF += HBM
        nisa.dma_copy(dst=rmw_sbuf, src=acc)
        tb = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=tb, src=c)
        nisa.dma_copy(dst=rmw_hbm, src=t)
        nisa.dma_copy(dst=rmw_hbm, src=tb, dst_rmw_op=np.add)  # HBM += SBUF (numpy's add as the op)
        nisa.dma_copy(dst=hbm_to_hbm, src=c)                # HBM -> HBM
        return plain, to_bf16, bf16_out, rmw_sbuf, rmw_hbm, hbm_to_hbm, from_bf16

    plain, to_bf16, bf16_out, rmw_sbuf, rmw_hbm, hbm_to_hbm, from_bf16 = run(kernel, a, b, c)
    assert np.array_equal(plain, a)
    assert np.array_equal(to_bf16, bf16_round(a))
    assert np.array_equal(bf16_out, bf16_round(a))
    assert np.array_equal(from_bf16, bf16_round(a))
    assert np.array_equal(rmw_sbuf, a + b)
    assert np.array_equal(rmw_hbm, a + c)
    assert np.array_equal(hbm_to_hbm, c)


def test_bf16_and_fp16_inputs(rng):
    a = rng.standard_normal((P, F), dtype=f32)
    h = rng.standard_normal((P, F), dtype=f32).astype(np.float16)

    def kernel(a, h):
        out_a, out_h = hbm((P, F)), hbm((P, F), nl.float16)
        nl.store(out_a, value=nl.load(a, dtype=nl.float32))
        nl.store(out_h, value=nl.multiply(nl.load(h), 2.0, dtype=nl.float16))
        return out_a, out_h

    out_a, out_h = run(kernel, trn2sim.bf16(a), h)
    assert np.array_equal(out_a, bf16_round(a))
    assert out_h.dtype == np.float16 and np.array_equal(out_h, h * np.float16(2))


# --- nisa.nc_matmul, nc_transpose ----------------------------------------------------------------------
def test_nc_matmul_accumulate_semantics(rng):
    a1, a2 = rng.standard_normal((128, 128), dtype=f32), rng.standard_normal((128, 128), dtype=f32)
    b1, b2 = rng.standard_normal((128, 512), dtype=f32), rng.standard_normal((128, 512), dtype=f32)
    a16, b16 = rng.standard_normal((64, 32), dtype=f32), rng.standard_normal((64, 100), dtype=f32)

    def kernel(a1, a2, b1, b2, a16, b16):
        outs = [hbm((128, 512)) for _ in range(5)]
        s = [nl.load(a1), nl.load(a2)]
        s += [nl.load(b1), nl.load(b2)]
        ps = nl.ndarray((128, 512), nl.float32, buffer=nl.psum)
        res = nl.ndarray((128, 512), nl.float32, buffer=nl.sbuf)

        def out(k):
            nisa.tensor_copy(dst=res, src=ps)
            nisa.dma_copy(dst=outs[k], src=res)

        nisa.nc_matmul(dst=ps, stationary=s[0], moving=s[2])                    # first write: overwrites
        out(0)
        nisa.nc_matmul(dst=ps, stationary=s[1], moving=s[3])                    # later writes: accumulate
        out(1)
        nisa.nc_matmul(dst=ps, stationary=s[1], moving=s[3], accumulate=False)  # explicit overwrite
        out(2)
        nisa.nc_matmul(ps, s[0], s[2], accumulate=True)                         # positional, explicit accumulate
        out(3)
        ps2 = nl.ndarray((128, 512), nl.float32, buffer=nl.psum)
        for k in nl.sequential_range(2):                                        # the docs' accumulate=(k > 0)
            nisa.nc_matmul(dst=ps2, stationary=s[k], moving=s[2 + k], accumulate=(k > 0))
        nisa.tensor_copy(dst=res, src=ps2)
        nisa.dma_copy(dst=outs[4], src=res)
        # the earlier API: the product as a result tile, bf16 operands, odd sizes
        small = hbm((32, 100))
        nl.store(small, value=nl.copy(nisa.nc_matmul(nl.load(a16), nl.load(b16))))
        return tuple(outs) + (small,)

    out = run(kernel, a1, a2, b1, b2, trn2sim.bf16(a16), trn2sim.bf16(b16))
    p1, p2 = pe_product(a1, b1), pe_product(a2, b2)
    assert np.array_equal(out[0], p1)
    assert np.array_equal(out[1], p1 + p2)
    assert np.array_equal(out[2], p2)
    assert np.array_equal(out[3], p2 + p1)
    assert np.array_equal(out[4], p1 + p2)
    assert np.array_equal(out[5], pe_product(bf16_round(a16), bf16_round(b16)))


def test_nc_transpose(rng):
    x = rng.standard_normal((128, 128), dtype=f32)
    y = rng.standard_normal((64, 96), dtype=f32)

    def kernel(x, y):
        xt_out, yt_out, y16_out = hbm((128, 128)), hbm((96, 64)), hbm((96, 64))
        xs = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=xs, src=x)
        xt = nl.ndarray((128, 128), nl.float32, buffer=nl.psum)
        nisa.nc_transpose(dst=xt, data=xs)                           # current API
        nl.store(xt_out, value=nl.copy(xt))
        nl.store(yt_out, value=nl.copy(nisa.nc_transpose(nl.load(y))))  # earlier API: the PSUM result
        y16 = nl.load(y, dtype=nl.bfloat16)
        nl.store(y16_out, value=nisa.tensor_copy(nisa.nc_transpose(y16), dtype=nl.float32))  # bf16 in PSUM
        return xt_out, yt_out, y16_out

    xt, yt, y16t = run(kernel, x, y)
    assert np.array_equal(xt, x.T)
    assert np.array_equal(yt, y.T)
    assert np.array_equal(y16t, bf16_round(y).T)


# --- nisa.tensor_copy, memset, iota ---------------------------------------------------------------------
def test_tensor_copy_memset_iota(rng):
    x = rng.standard_normal((P, F), dtype=f32)

    def kernel(x):
        outs = [hbm((P, F)) for _ in range(8)]
        f16_out = hbm((P, F), nl.float16)
        t = nl.load(x)
        for k, eng in enumerate((nisa.vector_engine, nisa.scalar_engine, nisa.gpsimd_engine)):
            d = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
            nisa.tensor_copy(dst=d, src=t, engine=eng)
            nl.store(outs[k], value=d)
        b = nl.ndarray((P, F), nl.bfloat16, buffer=nl.sbuf)
        nisa.tensor_copy(dst=b, src=t)                          # fp32 -> bf16: RNE
        nl.store(outs[3], value=b)
        h = nl.ndarray((P, F), nl.float16, buffer=nl.sbuf)
        nisa.tensor_copy(dst=h, src=t)                          # fp32 -> fp16: RNE
        nl.store(f16_out, value=h)
        m = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.memset(dst=m, value=3.5)
        nl.store(outs[4], value=m)
        nl.store(outs[5], value=nisa.memset((P, F), -1.25, nl.float32, engine=nisa.gpsimd_engine))  # earlier form
        io = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.iota(dst=io, expr=nl.arange(P)[:, None] * 3 + nl.arange(F)[None, :] * 2 + 5)
        nl.store(outs[6], value=io)
        # the earlier form returns the tile: p - f
        nl.store(outs[7], value=nisa.iota(nl.arange(P)[:, None] - nl.arange(F)[None, :], dtype=nl.float32))
        return tuple(outs) + (f16_out,)

    out = run(kernel, x)
    for k in range(3):
        assert np.array_equal(out[k], x), f"tensor_copy on engine {k}"
    assert np.array_equal(out[3], bf16_round(x))
    assert np.array_equal(out[4], np.full((P, F), 3.5, f32))
    assert np.array_equal(out[5], np.full((P, F), -1.25, f32))
    p, f = np.arange(P)[:, None], np.arange(F)[None, :]
    assert np.array_equal(out[6], (p * 3 + f * 2 + 5).astype(f32))
    assert np.array_equal(out[7], (p - f).astype(f32))
    assert out[8].dtype == np.float16 and np.array_equal(out[8], x.astype(np.float16))


# --- nisa: DVE arithmetic ---------------------------------------------------------------------------------
def test_tensor_tensor(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    y = rng.uniform(0.5, 2, (P, F)).astype(f32)

    def kernel(x, y):
        add_out, div_out, psum_out, bf_out = hbm((P, F)), hbm((P, F)), hbm((P, F)), hbm((P, F))
        a, b = nl.load(x), nl.load(y)
        d = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=d, data1=a, data2=b, op=nl.add)
        nl.store(add_out, value=d)
        nl.store(div_out, value=nisa.tensor_tensor(a, b, nl.divide))          # earlier form, positional op
        pb = nl.ndarray((P, F), nl.float32, buffer=nl.psum)
        nisa.tensor_copy(dst=pb, src=b)
        e = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=e, data1=a, data2=pb, op=np.subtract)          # one operand in PSUM; numpy op
        nl.store(psum_out, value=e)
        h = nl.ndarray((P, F), nl.bfloat16, buffer=nl.sbuf)
        nisa.tensor_tensor(dst=h, data1=a, data2=b, op=nl.multiply)           # fp32 result rounded to bf16
        nl.store(bf_out, value=h)
        return add_out, div_out, psum_out, bf_out

    add_out, div_out, psum_out, bf_out = run(kernel, x, y)
    assert np.array_equal(add_out, x + y)
    assert np.array_equal(div_out, x / y)
    assert np.array_equal(psum_out, x - y)
    assert np.array_equal(bf_out, bf16_round(x * y))


def test_tensor_scalar_one_and_two_ops(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    c0 = rng.uniform(0.5, 2, (P, 1)).astype(f32)
    c1 = rng.standard_normal((P, 1), dtype=f32)

    def kernel(x, c0, c1):
        outs = [hbm((P, F)) for _ in range(6)]
        t, s0, s1 = nl.load(x), nl.load(c0), nl.load(c1)
        d = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=d, data=t, op0=nl.multiply, operand0=1.5)                  # one op, immediate
        nl.store(outs[0], value=d)
        nl.store(outs[1], value=nisa.tensor_scalar(data=t, op0=nl.subtract, operand0=s0))   # one op, [P, 1] tile
        nl.store(outs[2], value=nisa.tensor_scalar(t, nl.multiply, 2.0, op1=nl.add, operand1=-0.5))  # two, immediates
        nl.store(outs[3], value=nisa.tensor_scalar(data=t, op0=nl.divide, operand0=s0,
                                                   op1=nl.maximum, operand1=s1))           # two, tiles
        nl.store(outs[4], value=nisa.tensor_scalar(data=t, op0=nl.subtract, operand0=0.25,
                                                   op1=nl.multiply, operand1=s1))          # immediate, then tile
        nl.store(outs[5], value=nisa.tensor_scalar(data=t, op0=nl.add, operand0=s1, reverse0=True))  # commutative
        return tuple(outs)

    out = run(kernel, x, c0, c1)
    assert np.array_equal(out[0], x * f32(1.5))
    assert np.array_equal(out[1], x - c0)
    assert np.array_equal(out[2], x * f32(2) + f32(-0.5))
    assert np.array_equal(out[3], np.maximum(x / c0, c1))
    assert np.array_equal(out[4], (x - f32(0.25)) * c1)
    assert np.array_equal(out[5], c1 + x)


def test_scalar_tensor_tensor(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    y = rng.standard_normal((P, F), dtype=f32)
    c = rng.standard_normal((P, 1), dtype=f32)

    def kernel(x, y, c):
        imm_out, tile_out = hbm((P, F)), hbm((P, F))
        a, b, col = nl.load(x), nl.load(y), nl.load(c)
        d = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.scalar_tensor_tensor(dst=d, data=a, op0=nl.multiply, operand0=3.0, op1=nl.add, operand1=b)
        nl.store(imm_out, value=d)
        nl.store(tile_out, value=nisa.scalar_tensor_tensor(data=a, op0=nl.subtract, operand0=col,
                                                           op1=nl.maximum, operand1=b))
        return imm_out, tile_out

    imm_out, tile_out = run(kernel, x, y, c)
    assert np.array_equal(imm_out, x * f32(3) + y)
    assert np.array_equal(tile_out, np.maximum(x - c, y))


# --- nisa.activation ---------------------------------------------------------------------------------------
def test_activation_scale_bias_and_reduce(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    scale = rng.uniform(0.5, 2, (P, 1)).astype(f32)
    bias = rng.standard_normal((P, 1), dtype=f32)

    def kernel(x, scale, bias):
        outs = [hbm((P, F)) for _ in range(4)]
        sums = [hbm((P, 1)) for _ in range(2)]
        t, s, b = nl.load(x), nl.load(scale), nl.load(bias)
        d = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=d, op=nl.exp, data=t, scale=0.5, bias=0.25)          # immediates
        nl.store(outs[0], value=d)
        nl.store(outs[1], value=nisa.activation(op=nl.copy, data=t, scale=s, bias=b))  # [P, 1] tiles: x*s + b
        sq = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        ss = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=sq, op=nl.square, data=t, reduce_op=nl.add, reduce_res=ss)
        nl.store(outs[2], value=sq)
        nl.store(sums[0], value=ss)
        # reduce_res sums the fp32 results before dst's rounding to bf16
        d16 = nl.ndarray((P, F), nl.bfloat16, buffer=nl.sbuf)
        s16 = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=d16, op=nl.copy, data=t, reduce_res=s16)
        nl.store(outs[3], value=d16)
        nl.store(sums[1], value=s16)
        return tuple(outs) + tuple(sums)

    exp_out, affine, sq, x16, sq_sum, x_sum = run(kernel, x, scale, bias)
    np.testing.assert_allclose(exp_out, np.exp(x.astype(np.float64) * 0.5 + 0.25), **TRANSCENDENTAL)
    assert np.array_equal(affine, x * scale + bias)
    assert np.array_equal(sq, x * x)
    assert np.array_equal(sq_sum[:, 0], in_order(x * x, np.add))
    assert np.array_equal(x16, bf16_round(x))
    assert np.array_equal(x_sum[:, 0], in_order(x, np.add))


# --- nisa.tensor_reduce --------------------------------------------------------------------------------------
def test_tensor_reduce(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    m = rng.uniform(0.9, 1.1, (P, 16)).astype(f32)

    def kernel(x, m):
        outs = [hbm((P, 1)) for _ in range(6)]
        t, tm = nl.load(x), nl.load(m)
        d = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        nisa.tensor_reduce(dst=d, op=nl.add, data=t, axis=1)
        nl.store(outs[0], value=d)
        nl.store(outs[1], value=nisa.tensor_reduce(op=nl.max, data=t, axis=1))
        nl.store(outs[2], value=nisa.tensor_reduce(op=np.min, data=t, axis=(1,)))
        nl.store(outs[3], value=nisa.tensor_reduce(op=nl.add, data=t, axis=1, negate=True))
        nl.store(outs[4], value=nisa.tensor_reduce(op=nl.max, data=t, axis=1, negate=True))
        nl.store(outs[5], value=nisa.tensor_reduce(op=nl.multiply, data=tm, axis=1))
        return tuple(outs)

    out = [o[:, 0] for o in run(kernel, x, m)]
    assert np.array_equal(out[0], in_order(x, np.add))
    assert np.array_equal(out[1], x.max(1))
    assert np.array_equal(out[2], x.min(1))
    assert np.array_equal(out[3], -in_order(x, np.add))
    assert np.array_equal(out[4], -x.max(1))
    assert np.array_equal(out[5], in_order(m, np.multiply))


# --- indexing: nl.arange, nl.ds, .ap(), .reshape() -------------------------------------------------------------
def test_arange_ds_ap_and_reshape(rng):
    x = rng.standard_normal((256, 64), dtype=f32)
    x3 = rng.standard_normal((2, 64, 32), dtype=f32)

    def kernel(x, x3):
        outs = {k: hbm(s) for k, s in (("arange", (128, 32)), ("arange_sbuf", (128, 16)), ("ds", (128, 16)),
                                       ("ds_step", (64, 8)), ("ap_hbm", (128, 32)), ("ap_sbuf", (128, 32)),
                                       ("ap_part", (32, 64)), ("reshape_hbm", (128, 32)), ("reshape_tile", (128, 64)))}
        i_p, i_f = nl.arange(128)[:, None], nl.arange(32)[None, :]
        a = nl.load(x[128 + i_p, 2 * i_f + 1])                       # rows 128.., odd columns
        nl.store(outs["arange"][i_p, i_f], value=a)
        j_f = nl.arange(16)[None, :]
        nl.store(outs["arange_sbuf"], value=nl.copy(a[i_p, j_f + 16]))  # an SBUF tile indexed with arange
        nl.store(outs["ds"], value=nl.load(x[nl.ds(128, 128), nl.ds(8, 16)]))
        nl.store(outs["ds_step"], value=nl.load(x[nl.ds(1, 64, step=4), nl.ds(0, 8, step=8)]))
        # .ap(pattern=[[step, count], ...], offset=) in elements of the row-major tensor
        nl.store(outs["ap_hbm"], value=nl.load(x.ap(pattern=[[64, 128], [2, 32]], offset=128 * 64 + 1)))
        whole = nl.load(x[0:128, :])
        half = nl.ndarray((128, 32), nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=half, src=whole.ap(pattern=[[64, 128], [1, 32]], offset=32))  # columns 32..63
        nl.store(outs["ap_part"], value=whole.ap(pattern=[[64, 32], [1, 64]], offset=64 * 32))  # partitions 32..63
        nl.store(outs["ap_sbuf"], value=half)
        flat = nl.load(x3.reshape((128, 32)))                          # HBM [2, 64, 32] as [128, 32]
        nl.store(outs["reshape_hbm"], value=flat)
        t3 = nl.ndarray((128, 4, 16), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t3, src=x[0:128, :].reshape((128, 4, 16)))
        nl.store(outs["reshape_tile"], value=t3.reshape((128, 64)))    # an on-chip tile's free axes
        return tuple(outs.values())

    out = dict(zip(("arange", "arange_sbuf", "ds", "ds_step", "ap_hbm", "ap_sbuf", "ap_part", "reshape_hbm",
                    "reshape_tile"), run(kernel, x, x3)))
    assert np.array_equal(out["arange"], x[128:, 1::2])
    assert np.array_equal(out["arange_sbuf"], x[128:, 1::2][:, 16:32])
    assert np.array_equal(out["ds"], x[128:256, 8:24])
    assert np.array_equal(out["ds_step"], x[1:256:4, 0:64:8])
    assert np.array_equal(out["ap_hbm"], x[128:, 1::2])
    assert np.array_equal(out["ap_sbuf"], x[:128, 32:])
    assert np.array_equal(out["ap_part"], x[32:64, :])
    assert np.array_equal(out["reshape_hbm"], x3.reshape(128, 32))
    assert np.array_equal(out["reshape_tile"], x[:128])


# --- loops and SPMD -------------------------------------------------------------------------------------------------
def test_loops_and_spmd_programs(rng):
    x = rng.standard_normal((512, F), dtype=f32)

    @nki.jit
    def kernel(x):
        out = hbm((512, F))
        total = hbm((128, F))
        n = nl.num_programs(0)
        rows = 512 // n
        base = nl.program_id(0) * rows
        for i in nl.affine_range(rows // 128):
            t = nl.load(x[nl.ds(base + i * 128, 128), :])
            nl.store(out[nl.ds(base + i * 128, 128), :], value=nl.add(t, 1.0))
        if nl.program_id(0) == 0:
            acc = nl.zeros((128, F), nl.float32)
            for i in nl.sequential_range(4):                    # a loop-carried sum, in order
                nisa.tensor_tensor(dst=acc, data1=acc, data2=nl.load(x[i * 128:(i + 1) * 128, :]), op=nl.add)
            for i in nl.static_range(1):
                nl.store(total, value=acc)
        return out, total

    out, total = trn2sim.simulate(kernel[2], x, lnc=2)[0]
    assert np.array_equal(out, x + f32(1))
    want = np.zeros((128, F), f32)
    for i in range(4):
        want = want + x[i * 128:(i + 1) * 128]
    assert np.array_equal(total, want)


# --- what the front end refuses: a KernelError at trace time, not wrong numbers --------------------------------------
@pytest.mark.parametrize("call", [
    lambda t, c: nisa.tensor_scalar(data=t, op0=nl.subtract, operand0=1.0, reverse1=True),  # no op1
    lambda t, c: nl.matmul(t, t),                                     # transpose_x=False
    lambda t, c: nisa.tensor_reduce(op=nl.add, data=t, axis=0),       # the partition axis
    lambda t, c: nisa.activation(op=nl.exp, data=t, reduce_op=nl.max, reduce_res=c),
], ids=["reverse1_without_op1", "matmul_untransposed",
        "reduce_partitions", "activation_reduce_max"])
def test_unsupported_forms_raise(call):
    def kernel(x, c):
        call(nl.load(x), nl.load(c))

    with pytest.raises(KernelError):
        trn2sim.simulate(kernel, np.ones((P, F), f32), np.ones((P, 1), f32), lnc=1)


# --- forms that once were gaps of the front end -------------------------------------------------------------------
def test_nc_matmul_accumulate_is_inferred_per_location(rng):
    a = rng.standard_normal((128, 128), dtype=f32)
    b = rng.standard_normal((128, 512), dtype=f32)

    def kernel(a, b):
        out = hbm((128, 512))
        ta, tb = nl.load(a), nl.load(b)
        ps = nl.ndarray((128, 512), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=ps[:, 0:256], stationary=ta, moving=tb[:, 0:256])
        nisa.nc_matmul(dst=ps[:, 256:512], stationary=ta, moving=tb[:, 256:512])  # its first write: overwrites
        nl.store(out, value=nl.copy(ps))
        return out

    (out,) = run(kernel, a, b)
    assert np.array_equal(out, pe_product(a, b))


def test_assignment_into_a_tile(rng):
    x = rng.standard_normal((P, F), dtype=f32)

    def kernel(x):
        out = hbm((P, F))
        t = nl.load(x)
        u = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        u[:, :] = nl.multiply(t, 2.0)
        nl.store(out, value=u)
        return out

    (out,) = run(kernel, x)
    assert np.array_equal(out, x * f32(2))


def test_bare_arange_broadcasts_as_the_last_axis(rng):
    x = rng.standard_normal((P, F), dtype=f32)

    def kernel(x):
        out = hbm((P, 32))
        nl.store(out, value=nl.load(x[nl.arange(P)[:, None], nl.arange(32)]))
        return out

    (out,) = run(kernel, x)
    assert np.array_equal(out, x[:, :32])


def test_an_assigned_result_is_written_in_place_not_copied(rng):
    # `u[...] = nl.load(...)` and `u[...] = nl.add(...)` retarget the instruction that made the
    # value: the same instructions as writing into u directly, no copy.
    x = rng.standard_normal((P, F), dtype=f32)

    def kernel(x):
        out = hbm((P, F))
        u = nl.ndarray((P, F), nl.float32, buffer=nl.sbuf)
        u[:, 0:F // 2] = nl.load(x[:, 0:F // 2])
        u[:, F // 2:F] = nl.add(nl.load(x[:, F // 2:F]), 1.0)
        nl.store(out, value=u)
        return out

    out, report = trn2sim.simulate(kernel, x, lnc=1)
    expect = x.copy()
    expect[:, F // 2:] += f32(1)
    assert np.array_equal(out, expect)
    assert report["simulator"]["instructions"] == 4  # two loads, the add, the store


def test_psum_slice_accumulates_in_place(rng):
    # `ps[:, a:b] += nisa.nc_matmul(...)`: Python stores the view back; nothing is copied.
    a = rng.standard_normal((2, 128, 128), dtype=f32)
    b = rng.standard_normal((2, 128, 256), dtype=f32)

    def kernel(a, b):
        out = hbm((128, 256))
        ps = nl.zeros((128, 512), nl.float32, buffer=nl.psum)
        for k in nl.sequential_range(2):
            ps[:, 0:256] += nisa.nc_matmul(nl.load(a[k]), nl.load(b[k]))
        nl.store(out, value=nl.copy(ps[:, 0:256]))
        return out

    (out,) = run(kernel, a, b)
    expect = pe_product(a[0], b[0]) + pe_product(a[1], b[1])
    np.testing.assert_allclose(out, expect, rtol=1e-5, atol=1e-4)


def test_tiles_kept_in_a_python_list_get_a_buffer_each(rng):
    # The sizing pass sees all eight tiles of one declaration live at once: eight buffers.
    x = rng.standard_normal((P, 8 * 16), dtype=f32)

    def kernel(x):
        out = hbm((P, 16))
        tiles = [nl.load(x[:, 16 * i:16 * (i + 1)]) for i in range(8)]
        acc = tiles[0]
        for t in tiles[1:]:
            acc = nl.add(acc, t)
        nl.store(out, value=acc)
        return out

    out, report = trn2sim.simulate(kernel, x, lnc=1)
    expect = x[:, 0:16]
    for i in range(1, 8):
        expect = expect + x[:, 16 * i:16 * (i + 1)]
    assert np.array_equal(out, expect)
    loads = [b for b in report["front_end"]["buffers"] if b["allocations"] == 8]
    assert loads and loads[0]["buffers"] == 8 and "8 live at once" in loads[0]["rule"]


def test_negative_mean_reversed_subtract_and_activation_reduce(rng):
    x = rng.standard_normal((P, F), dtype=f32)
    c = rng.standard_normal((P, 1), dtype=f32)

    def kernel(x, c):
        outs = [hbm((P, F)), hbm((P, 1)), hbm((P, F)), hbm((P, F)), hbm((P, 1))]
        t, col = nl.load(x), nl.load(c)
        nl.store(outs[0], value=nl.negative(t))
        nl.store(outs[1], value=nl.mean(t, axis=1))
        nl.store(outs[2], value=nl.subtract(col, t))  # a [P, 1] column minus a tile
        sums = nl.ndarray((P, 1), nl.float32, buffer=nl.sbuf)
        squares = nisa.activation_reduce(op=nl.square, data=t, reduce_op=nl.add, reduce_res=sums)
        nl.store(outs[3], value=squares)
        nl.store(outs[4], value=sums)
        return tuple(outs)

    neg, mean, diff, squares, sums = run(kernel, x, c)
    assert np.array_equal(neg, -x)
    # tensor_reduce adds in fp32 along the row, then one multiply by 1/F (both rounded to fp32)
    row_sums = np.zeros((P, 1), f32)
    for j in range(F):
        row_sums[:, 0] = row_sums[:, 0] + x[:, j]
    assert np.array_equal(mean, row_sums * f32(1.0 / F))
    assert np.array_equal(diff, c - x)
    assert np.array_equal(squares, x * x)
    np.testing.assert_allclose(sums[:, 0], (x.astype(np.float64) ** 2).sum(axis=1), rtol=1e-5)


def test_nc_matmul_transpose_mode_is_the_pe_transpose(rng):
    # nki.isa.nc_matmul(is_transpose=True) and nc_transpose on the tensor engine are the same
    # PE transpose mode (the Trainium2 architecture guide): same bits, same cycles.
    x = rng.standard_normal((128, 96), dtype=f32)

    def by_flag(x):
        out = hbm((96, 128))
        t = nl.load(x)
        identity = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.iota(dst=identity, expr=nl.arange(128)[:, None] + nl.arange(128)[None, :])  # any [K, K]: ignored
        ps = nl.ndarray((96, 128), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=ps, stationary=t, moving=identity, is_transpose=True)
        nl.store(out, value=nl.copy(ps))
        return out

    def by_instruction(x):
        out = hbm((96, 128))
        t = nl.load(x)
        identity = nl.ndarray((128, 128), nl.float32, buffer=nl.sbuf)
        nisa.iota(dst=identity, expr=nl.arange(128)[:, None] + nl.arange(128)[None, :])
        ps = nl.ndarray((96, 128), nl.float32, buffer=nl.psum)
        nisa.nc_transpose(dst=ps, data=t)
        nl.store(out, value=nl.copy(ps))
        return out

    a, ra = trn2sim.simulate(by_flag, x, lnc=1)
    b, rb = trn2sim.simulate(by_instruction, x, lnc=1)
    assert np.array_equal(a, x.T) and np.array_equal(b, x.T)
    assert ra["neuroncore_cycle_count"] == rb["neuroncore_cycle_count"]


def test_fp8_inputs_casts_and_the_double_row_matmul(rng):
    # trn2's fp8 formats: inputs rounded to nearest even by trn2sim.fp8_e4m3 / fp8_e5m2, an
    # fp8 DMA cast on the way out, and the PE's double_row mode: stationary [K, 2, M] and
    # moving [K, 2, N] contract over 2K (nki.isa.nc_matmul).
    from trn2sim._floats import from_fp8_bits, to_fp8_bits
    a = rng.standard_normal((128, 2, 64), dtype=f32)
    b = rng.standard_normal((128, 2, 96), dtype=f32)
    x = rng.standard_normal((128, 32), dtype=f32) * f32(100)

    def kernel(a, b, x):
        out, cast = hbm((64, 96)), hbm((128, 32), nl.float8_e5m2)
        ta, tb = nl.load(a), nl.load(b)
        ps = nl.ndarray((64, 96), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=ps, stationary=ta, moving=tb, perf_mode=nisa.matmul_perf_mode.double_row)
        nl.store(out, value=nl.copy(ps))
        nl.store(cast, value=nl.load(x))           # fp32 SBUF -> fp8 HBM: the DMA rounds
        return out, cast

    qa = from_fp8_bits(to_fp8_bits(a, "float8_e4m3"), "float8_e4m3")
    qb = from_fp8_bits(to_fp8_bits(b, "float8_e5m2"), "float8_e5m2")
    out, cast = run(kernel, trn2sim.fp8_e4m3(a), trn2sim.fp8_e5m2(b), x)
    want = np.einsum("kjm,kjn->mn", qa.astype(np.float64), qb.astype(np.float64))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-4)
    assert np.array_equal(cast, from_fp8_bits(to_fp8_bits(x, "float8_e5m2"), "float8_e5m2"))


def test_fp8_conversion_matches_the_formats():
    # Every code decodes and encodes back (NaNs aside); ties go to even; past the largest
    # finite value by half a step, infinity (docs/timing-model.md's fp8 assumptions).
    from trn2sim._floats import fp8_values, to_fp8_bits
    for name, largest in (("float8_e4m3", 240.0), ("float8_e5m2", 57344.0)):
        v = fp8_values(name)
        codes = np.arange(256, dtype=np.uint8)
        finite = np.isfinite(v)
        assert np.nanmax(v[finite]) == largest
        assert np.array_equal(to_fp8_bits(v[~np.isnan(v)].astype(f32), name), codes[~np.isnan(v)])
    assert to_fp8_bits(f32(1.0625), "float8_e4m3") == 0x38   # between 1 and 1.125: to the even code
    assert to_fp8_bits(f32(1.1875), "float8_e4m3") == 0x3A
    assert to_fp8_bits(f32(248), "float8_e4m3") == 0x78      # 240 + half a step: infinity
    assert to_fp8_bits(f32(247.9), "float8_e4m3") == 0x77


def test_integer_inputs_cast_by_dma_and_written_back(rng):
    # int8 in HBM loaded into an fp32 tile by a casting DMA; a result written as int32
    # (fp32 -> int32 rounds to nearest even and saturates: docs/timing-model.md, Integers).
    q = rng.integers(-128, 128, size=(128, 64), dtype=np.int8)

    def kernel(q):
        out = hbm((128, 64), nl.int32)
        t = nl.load(q, dtype=nl.float32)
        nl.store(out, value=nl.multiply(t, 2.5, dtype=nl.int32))
        return out

    (out,) = run(kernel, q)
    want = np.rint(q.astype(np.float64) * 2.5).astype(np.int32)  # numpy's rint: ties to even
    assert out.dtype == np.int32 and np.array_equal(out, want)


def test_reversed_operands_and_reciprocal(rng):
    # nki.isa's reverse flags: operand <op> data. 1 / x (nisa.reciprocal, nl.divide(1.0, t)),
    # a [P, 1] column over a tile, 2 ** x, and (0.5 - x) * y in one scalar_tensor_tensor.
    x = np.abs(rng.standard_normal((P, F), dtype=f32)) + f32(0.25)
    y = rng.standard_normal((P, F), dtype=f32)
    c = rng.standard_normal((P, 1), dtype=f32)

    def kernel(x, y, c):
        outs = [hbm((P, F)) for _ in range(5)]
        t, u, col = nl.load(x), nl.load(y), nl.load(c)
        nl.store(outs[0], value=nisa.reciprocal(data=t))
        nl.store(outs[1], value=nl.divide(1.0, t))
        nl.store(outs[2], value=nl.divide(col, t))
        nl.store(outs[3], value=nisa.tensor_scalar(data=t, op0=nl.power, operand0=2.0, reverse0=True))
        nl.store(outs[4], value=nisa.scalar_tensor_tensor(data=t, op0=nl.subtract, operand0=0.5, reverse0=True,
                                                          op1=nl.multiply, operand1=u))
        return tuple(outs)

    r1, r2, q, p2, stt = run(kernel, x, y, c)
    assert np.array_equal(r1, f32(1) / x) and np.array_equal(r2, f32(1) / x)
    assert np.array_equal(q, c / x)
    np.testing.assert_allclose(p2, np.power(2.0, x.astype(np.float64)), rtol=1e-6)
    assert np.array_equal(stt, (f32(0.5) - x) * y)
