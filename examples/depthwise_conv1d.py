"""The seed kernel: nkilib's depthwise conv1d "implicit GEMM" (nki-library tag 2.29,
src/nkilib_src/nkilib/experimental/conv/depthwise_conv1d.py), written against trn2sim's NKI
front end so that it emits the instruction stream of the C++ emitter
(kernels/conv1d_nkilib.cpp, variant `nkilib`, with Emitter::load_filter of
kernels/depthwise_conv1d.cpp).

nkilib leaves the buffers, engines and DMA queues to the Neuron compiler; this kernel states
the C++ builder's choices (docs/depthwise-variants.md) explicitly:

- rotating buffers: `buffers` of the filter, input_bulk and output tiles; every S tile's
  transposed filter twice over (filter_t); as many sets of a channel's input tiles (one
  [S_TILE, Q] tile per S tile) as fit SBUF, at most `buffers`; 2 PSUM banks for the
  transposes, min(buffers, 6) for the accumulators;
- engines: SBUF memsets and the stride > 1 column pick on GpSimd, the PSUM accumulator's
  memset and the filter's PSUM -> SBUF copy on DVE, the result copies alternating DVE, ACT;
- input loads with dge_mode none (nkilib 2.29), the filter loads and stores left unknown;
- DMA queues: each core's 16 in turn (simulate(..., compiler={"dma_queues": "round_robin"})).

Pools are declared in the order the C++ emitter declares them (the front end places a pool
where its first tile is allocated): SBUF filter, filter_t, input, input_bulk, output; PSUM
transpose, accumulate.

    PYTHONPATH=python /usr/bin/python3 examples/depthwise_conv1d.py
"""
import numpy as np

from trn2sim import nki, simulate

nl = nki.language
nisa = nki.isa

# What simulate() needs to reproduce the C++ kernel's stream: the C++ builder's DMA queue
# assignment, and no identity load for the filter's PE transposes (the C++ stream has none;
# nkilib's NEFF is not public, while the asst4 NEFF shows one: docs/python.md).
COMPILER = {"dma_queues": "round_robin", "pe_transpose_identity": False}


def _sbuf_bytes(n):
    """SBUF bytes per partition of a buffer of n bytes (64-byte aligned)."""
    return (n + 63) // 64 * 64


def _padded_columns(s0, rows, Q, W, stride, pad_l):
    """How an S tile touching the padding is loaded: column q holds input elements
    s0 + k + q * stride - pad_l for rows k, those inside the row being rows [lo, hi).
    Returns the full columns [full_lo, full_hi) (contiguous) and the partial columns with
    some element inside, (q, lo, hi), split into those before the full ones and those after
    (all "before" when there are no full columns)."""
    full_lo = full_hi = 0
    before, after = [], []
    for q in range(Q):
        pos = q * stride
        lo = max(0, pad_l - s0 - pos)
        hi = min(rows, W + pad_l - s0 - pos)
        if lo == 0 and hi == rows:
            if full_hi == full_lo:
                full_lo = q
            full_hi = q + 1
        elif lo < hi:
            (after if full_hi > full_lo else before).append((q, lo, hi))
    return full_lo, full_hi, before, after


@nki.jit
def depthwise_conv1d(input, filter, stride=1, padding=(0, 0), buffers=2):
    """input [N, C, 1, W], filter [C, 1, 1, S] in HBM; returns output [N, C, 1, Q] in the
    input's dtype, Q = (W + pad_l + pad_r - S) // stride + 1. Channels are split over the
    programs (launch with depthwise_conv1d[lnc])."""
    N, C, _, W = input.shape
    S = filter.shape[3]
    pad_l, pad_r = padding
    assert filter.shape[0] == C, "depthwise: one filter row per channel"
    assert stride >= 1 and pad_l >= 0 and pad_r >= 0 and 1 <= buffers <= 8
    assert S <= W + pad_l + pad_r, "the kernel is wider than the padded input"
    Q = (W + pad_l + pad_r - S) // stride + 1
    idt, fdt = input.dtype, filter.dtype

    shards = nl.num_programs()
    shard = nl.program_id(0)
    assert C % shards == 0, "channels must split evenly over the programs"
    C_shard = C // shards

    P_MAX = nl.tile_size.pmax
    F_MAX = nl.tile_size.psum_fmax
    S_TILE = min(S, P_MAX, nl.tile_size.gemm_stationary_fmax)  # also the transpose's free size
    Q_TILE = min(Q, F_MAX)
    C_TILE = min(C_shard, P_MAX, nl.tile_size.gemm_stationary_fmax)
    s_tiles = (S + S_TILE - 1) // S_TILE
    c_tiles = (C_shard + C_TILE - 1) // C_TILE
    q_tiles = (Q + Q_TILE - 1) // Q_TILE

    # nkilib's padding tests: an S tile is clear of the left padding from tile
    # ceil(pad_l / S_TILE) on, and of the right padding before tile
    # floor((pad_l + W - Q * stride) / S_TILE); each applies only when that side is padded.
    first_clear = (pad_l + S_TILE - 1) // S_TILE if pad_l > 0 else 0
    end_clear = (pad_l + W - Q * stride) // S_TILE if pad_r > 0 else s_tiles
    padded = [st < first_clear or st >= end_clear for st in range(s_tiles)]
    bulk_cols = (Q - 1) * stride + 1

    # The C++ emitter's sizing: every pool but the input tiles', then as many sets of a
    # channel's input tiles as fit, up to `buffers`.
    isz, fsz = idt.size, fdt.size
    any_bulk = stride > 1 and not all(padded)
    others = (_sbuf_bytes(S_TILE * fsz) * buffers + _sbuf_bytes(C_TILE * fsz) * s_tiles * 2
              + (_sbuf_bytes(bulk_cols * isz) * buffers if any_bulk else 0) + _sbuf_bytes(Q_TILE * isz) * buffers)
    set_bytes = _sbuf_bytes(Q * isz) * s_tiles
    sbuf_bytes = nl.tile_size.total_available_sbuf_size  # the simulated hardware's, as the C++ sizes against
    room = sbuf_bytes - others
    sets = min(buffers, room // set_bytes if room > 0 else 0)
    assert sets >= 1, (f"a channel's input ({s_tiles} S tile(s) of [{S_TILE}, Q={Q}]) needs {set_bytes} bytes per "
                       f"partition, plus {others} for the other buffers: more than SBUF's {sbuf_bytes}")

    output = nl.ndarray((N, C, 1, Q), dtype=idt, buffer=nl.shared_hbm, name="output")
    copy_turn = 0  # the result copies alternate DVE, ACT

    for n in nl.affine_range(N):
        for ct in nl.affine_range(c_tiles):
            c0 = ct * C_TILE
            c_rows = min(C_TILE, C_shard - c0)
            cg0 = shard * C_shard + c0

            # The filter of this channel tile: per S tile, [c_rows, s_rows] by DMA, transposed
            # on the PE into PSUM (in the filter's dtype), copied to SBUF as [s_rows, c_rows].
            filter_t_tiles = []
            for st in nl.affine_range(s_tiles):
                s0 = st * S_TILE
                s_rows = min(S_TILE, S - s0)
                partial = c_rows < C_TILE or s_rows < S_TILE
                f_tile = nl.ndarray((C_TILE, S_TILE), dtype=fdt, buffer=nl.sbuf, buffers=buffers, name="filter")
                if partial:
                    nisa.memset(dst=f_tile, value=0.0, engine=nisa.gpsimd_engine)
                nisa.dma_copy(dst=f_tile[0:c_rows, 0:s_rows],
                              src=filter.ap(pattern=[[S, c_rows], [1, s_rows]], offset=cg0 * S + s0))
                f_psum = nl.ndarray((S_TILE, C_TILE), dtype=fdt, buffer=nl.psum, buffers=2, name="transpose")
                nisa.nc_transpose(dst=f_psum[0:s_rows, 0:c_rows], data=f_tile[0:c_rows, 0:s_rows])
                ft_tile = nl.ndarray((S_TILE, C_TILE), dtype=fdt, buffer=nl.sbuf, buffers=s_tiles * 2,
                                     name="filter_t")
                if partial:
                    nisa.memset(dst=ft_tile, value=0.0, engine=nisa.gpsimd_engine)
                nisa.tensor_copy(dst=ft_tile[0:s_rows, 0:c_rows], src=f_psum[0:s_rows, 0:c_rows],
                                 engine=nisa.vector_engine)
                filter_t_tiles.append(ft_tile)

            for ci in nl.affine_range(c_rows):
                cg = cg0 + ci
                row = (n * C + cg) * W  # this channel's input row

                # The input as [S_TILE, Q] per S tile, row k one element after row k - 1
                # (the implicit im2col): element [k, q] = row[s0 + k + q * stride - pad_l].
                x_tiles = []
                for st in nl.affine_range(s_tiles):
                    s0 = st * S_TILE
                    s_rows = min(S_TILE, S - s0)
                    base = row + s0 - pad_l  # element [0, 0]
                    x_tile = nl.ndarray((S_TILE, Q), dtype=idt, buffer=nl.sbuf, buffers=s_tiles * sets,
                                        name="input")
                    if padded[st] or s_rows < S_TILE:
                        nisa.memset(dst=x_tile, value=0.0, engine=nisa.gpsimd_engine)
                    if padded[st]:
                        full_lo, full_hi, before, after = _padded_columns(s0, s_rows, Q, W, stride, pad_l)
                        for q, lo, hi in before:
                            nisa.dma_copy(dst=x_tile[lo:hi, q],
                                          src=input.ap(pattern=[[1, hi - lo], [1, 1]], offset=base + lo + q * stride),
                                          dge_mode=nisa.dge_mode.none)
                        if full_hi > full_lo:
                            nisa.dma_copy(dst=x_tile[0:s_rows, full_lo:full_hi],
                                          src=input.ap(pattern=[[1, s_rows], [stride, full_hi - full_lo]],
                                                       offset=base + full_lo * stride),
                                          dge_mode=nisa.dge_mode.none)
                        for q, lo, hi in after:
                            nisa.dma_copy(dst=x_tile[lo:hi, q],
                                          src=input.ap(pattern=[[1, hi - lo], [1, 1]], offset=base + lo + q * stride),
                                          dge_mode=nisa.dge_mode.none)
                    elif stride == 1:
                        nisa.dma_copy(dst=x_tile[0:s_rows, 0:Q], src=input.ap(pattern=[[1, s_rows], [1, Q]], offset=base),
                                      dge_mode=nisa.dge_mode.none)
                    else:
                        # A contiguous run per partition, then every stride-th column of it.
                        bulk = nl.ndarray((S_TILE, bulk_cols), dtype=idt, buffer=nl.sbuf, buffers=buffers,
                                          name="input_bulk")
                        nisa.dma_copy(dst=bulk[0:s_rows, 0:bulk_cols],
                                      src=input.ap(pattern=[[1, s_rows], [1, bulk_cols]], offset=base),
                                      dge_mode=nisa.dge_mode.none)
                        nisa.tensor_copy(dst=x_tile[0:s_rows, 0:Q],
                                         src=bulk.ap(pattern=[[bulk_cols, s_rows], [stride, Q]]),
                                         engine=nisa.gpsimd_engine)
                    x_tiles.append(x_tile)

                # Per Q tile: the S tiles' products summed in a PSUM bank, copied to SBUF in
                # the output's dtype and stored.
                for qt in nl.affine_range(q_tiles):
                    q0 = qt * Q_TILE
                    q_cols = min(Q_TILE, Q - q0)
                    acc = nl.ndarray((1, Q_TILE), dtype=nl.float32, buffer=nl.psum, buffers=min(buffers, 6),
                                     name="accumulate")
                    nisa.memset(dst=acc, value=0.0, engine=nisa.vector_engine)
                    for st in nl.sequential_range(s_tiles):
                        s_rows = min(S_TILE, S - st * S_TILE)
                        nisa.nc_matmul(dst=acc[0:1, 0:q_cols],
                                       stationary=filter_t_tiles[st][0:s_rows, ci:ci + 1],
                                       moving=x_tiles[st][0:s_rows, q0:q0 + q_cols], accumulate=True)
                    o_tile = nl.ndarray((1, Q_TILE), dtype=idt, buffer=nl.sbuf, buffers=buffers, name="output")
                    nisa.tensor_copy(dst=o_tile[0:1, 0:q_cols], src=acc[0:1, 0:q_cols],
                                     engine=nisa.scalar_engine if copy_turn % 2 else nisa.vector_engine)
                    copy_turn += 1
                    nisa.dma_copy(dst=output.ap(pattern=[[q_cols, 1], [1, q_cols]], offset=(n * C + cg) * Q + q0),
                                  src=o_tile[0:1, 0:q_cols])
    return output


def reference(x, f, stride=1, padding=(0, 0)):
    """The convolution in numpy (float64): out[n, c, 0, q] = sum_k xpad[n, c, q * stride + k] * f[c, k]."""
    x = np.asarray(x, dtype=np.float64)[:, :, 0, :]
    f = np.asarray(f, dtype=np.float64)[:, 0, 0, :]
    S = f.shape[1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[1])))
    Q = (xp.shape[2] - S) // stride + 1
    out = np.zeros(x.shape[:2] + (Q,))
    for k in range(S):
        out += xp[:, :, k:k + (Q - 1) * stride + 1:stride] * f[None, :, k:k + 1]
    return out[:, :, None, :]


if __name__ == "__main__":
    N, C, W, S, lnc = 1, 384, 2051, 4, 2
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, 1, W), dtype=np.float32)
    f = rng.standard_normal((C, 1, 1, S), dtype=np.float32)
    out, report = simulate(depthwise_conv1d[lnc], x, f, lnc=lnc, compiler=COMPILER)
    ref = reference(x, f)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    err = np.max(np.abs(out - ref))
    assert np.allclose(out, ref, rtol=1e-4, atol=1e-4), f"max abs error {err}"
    print(f"depthwise_conv1d [{N}, {C}, 1, {W}] S={S} fp32 lnc={lnc}: {report['total_time_us']:.3f} us "
          f"({report['neuroncore_cycle_count']} cycles), {report['simulator']['instructions']} instructions, "
          f"max abs error {err:.2e} against numpy")
