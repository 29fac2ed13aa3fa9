"""Unfused single-head attention, out = softmax(q^T k) @ v^T, with HBM round trips between
its three phases; q/k/v in (d_head=128, seqlen).

Public source: github allenkchau/trainium-kernel-fusion, kernels/baseline/attention.py
`baseline_attention` at commit 9812be8 ("update kernels"; unchanged to HEAD d709ddf), measured
on trn2.3xlarge (profile summary: instance_type trn2.3xlarge, compiler 2.23.6484.0) by
benchmarks/full_attention_study.py (added in 71713d4): nki.benchmark(warmup=5, iters=20),
nc_latency p50 / p99, NEURON_CC_FLAGS=--target=trn2, NEURON_LOGICAL_NC_CONFIG=2 (LNC=2 NEFF,
no grid: one core works). Figures in profiling/reports/latency_throughput_20260307T073830Z.csv
(p50 us, fp32: 52 / 107 / 274 / 1137, bf16: 48 / 96 / 260 / 1035 for seqlen 512 / 1024 / 2048
/ 4096) and, for seqlen 512 and 1024, neuron-profile JSON timelines under
profiling/artifacts/baseline_{fp32,bf16}_s{512,1024}/.

The kernel has no @skip_middle_end_transformations, and the compiler's middle end rewrote
it (copies merged across transposes, reciprocals into one, fp32 matmuls as two passes): the
s512 fp32 timeline has 60 MATMUL, 13 COPY, 10 TENSOR_REDUCE, 1 RECIPROCAL where the source
issues 40 PE ops, 28 copies, 16 reductions, 4 reciprocals. This file is the kernel as written;
trn2sim runs it as written.

Structure (read from the public kernel, written here): load q, k, v whole. Phase 1: per
128-row query block, q^T k in [128, 512] PSUM chunks copied into one SBUF row block, stored to
an fp32 HBM scratch (n_q, 128, seqlen). Phase 2: per block, load it back, row max (per-chunk
reduce + negated reduce), exp on ACT with per-chunk row sums on DVE, reciprocal, scale per
chunk on DVE, store over the scratch. Phase 3: transpose v into 128 x 128 blocks; per block,
load the weights back, transpose them per 128 columns (PE + copy), accumulate P @ V^T in one
PSUM tile, copy to SBUF, store.

Front-end gap: nisa.reciprocal is written as one DVE tensor_scalar (x ** -1), as in
attention_fused.py.
"""
from trn2sim import nki

nl = nki.language
nisa = nki.isa


def _reciprocal(x):
    """nisa.reciprocal(x) on a [P, 1] tile: one vector-engine instruction."""
    return nisa.tensor_scalar(data=x, op0=nl.power, operand0=-1.0, engine=nisa.vector_engine)


@nki.jit
def attention_baseline(q_ref, k_ref, v_ref):
    d, s = q_ref.shape
    P = nl.tile_size.pmax
    QB = nl.tile_size.gemm_stationary_fmax
    KC = nl.tile_size.gemm_moving_fmax
    assert d == P and s % KC == 0 and q_ref.shape == k_ref.shape == v_ref.shape
    n_q, n_c, n_b = s // QB, s // KC, s // P

    out = nl.ndarray((s, d), dtype=q_ref.dtype, buffer=nl.shared_hbm)
    q = nl.load(q_ref)
    k = nl.load(k_ref)
    v = nl.load(v_ref)
    scratch = nl.ndarray((n_q, P, s), dtype=nl.float32, buffer=nl.shared_hbm)

    # phase 1: scores to HBM
    for qi in nl.affine_range(n_q):
        row = nl.ndarray((nl.par_dim(P), s), dtype=nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(n_c):
            acc = nl.ndarray((nl.par_dim(P), KC), dtype=nl.float32, buffer=nl.psum)
            acc[...] = nisa.nc_matmul(stationary=q[:, nl.ds(qi * QB, QB)], moving=k[:, nl.ds(c * KC, KC)])
            row[:, nl.ds(c * KC, KC)] = nisa.tensor_copy(acc, dtype=nl.float32)
        nl.store(scratch[qi], row)

    # phase 2: softmax in place in HBM
    for qi in nl.affine_range(n_q):
        sc = nl.ndarray((nl.par_dim(P), s), dtype=nl.float32, buffer=nl.sbuf)
        sc[...] = nl.load(scratch[qi])
        maxes = nl.ndarray((nl.par_dim(P), n_c), dtype=nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(n_c):
            maxes[:, c] = nisa.tensor_reduce(op=nl.max, data=sc[:, nl.ds(c * KC, KC)], axis=1)
        neg_max = nisa.tensor_reduce(op=nl.max, data=maxes, axis=1, negate=True)
        expd = nl.ndarray((nl.par_dim(P), s), dtype=nl.float32, buffer=nl.sbuf)
        sums = nl.ndarray((nl.par_dim(P), n_c), dtype=nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(n_c):
            expd[:, nl.ds(c * KC, KC)] = nisa.activation(op=nl.exp, data=sc[:, nl.ds(c * KC, KC)],
                                                         bias=neg_max, scale=1.0)
            sums[:, c] = nisa.tensor_reduce(op=nl.add, data=expd[:, nl.ds(c * KC, KC)], axis=1)
        total = nisa.tensor_reduce(op=nl.add, data=sums, axis=1)
        inv = _reciprocal(total)
        w = nl.ndarray((nl.par_dim(P), s), dtype=nl.float32, buffer=nl.sbuf)
        for c in nl.affine_range(n_c):
            w[:, nl.ds(c * KC, KC)] = nisa.tensor_scalar(data=expd[:, nl.ds(c * KC, KC)], op0=nl.multiply,
                                                         operand0=inv, engine=nisa.vector_engine)
        nl.store(scratch[qi], w)

    # phase 3: P @ V^T from HBM
    vT = nl.ndarray((nl.par_dim(P), n_b, P), dtype=nl.float32, buffer=nl.sbuf)
    for b in nl.affine_range(n_b):
        blk = nisa.nc_transpose(v[:, nl.ds(b * P, P)])
        vT[:, b, :] = nisa.tensor_copy(blk, dtype=nl.float32)
    for qi in nl.affine_range(n_q):
        p = nl.ndarray((nl.par_dim(P), s), dtype=nl.float32, buffer=nl.sbuf)
        p[...] = nl.load(scratch[qi])
        pT = nl.ndarray((nl.par_dim(P), n_b, P), dtype=nl.float32, buffer=nl.sbuf)
        for b in nl.affine_range(n_b):
            blk = nisa.nc_transpose(p[:, nl.ds(b * P, P)])
            pT[:, b, :] = nisa.tensor_copy(blk, dtype=nl.float32)
        o_acc = nl.zeros((P, P), dtype=nl.float32, buffer=nl.psum)
        for b in nl.affine_range(n_b):
            o_acc += nisa.nc_matmul(stationary=pT[:, b, :], moving=vT[:, b, :])
        o_sb = nl.ndarray((nl.par_dim(P), P), dtype=nl.float32, buffer=nl.sbuf)
        o_sb[...] = nisa.tensor_copy(o_acc, dtype=nl.float32)
        nl.store(dst=out[nl.ds(qi * P, P), :], value=o_sb)
    return out
