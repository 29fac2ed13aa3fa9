"""Fused 2-D convolution (valid, stride 1) + max pool + bias, CS149 asst4-trainium2 part 2.

Public source: github xaviergonzalez/asst4-trainium2, part2/conv2d.py `fused_conv2d_maxpool`
at commit 8f7564e ("everything passed!"; unchanged to 1f089e2 / HEAD d155261), with
@nki.compiler.skip_middle_end_transformations. Measured on the course's trn2.3xlarge by
part2/test_harness.py `test_performance_conv2d_kernel` (X [1, 256, 224, 224], W [256, 256,
3, 3], bias [256], pool_size 1 or 2, float32 or float16; nki.benchmark(warmup=5, iters=20),
nc_latency p99; run with --profile, so the benchmark compiled with --disable-dge and saved
the NEFF). writeup.md (commit 1f089e2) prints the runs: NCL p99 3832 us (no
pool, fp32), 824 us (no pool, fp16), 3830 us (pool 2, fp32), 825 us (pool 2, fp16).

Structure (read from the public kernel, written here): all weights loaded once into one SBUF
tile [out 128, in 128, out-tile, in-tile, kh, kw] (one DMA per (out-tile, in-tile)) and each
[128, 128] tap transposed in place (PE transpose, copy back, sequential loops). Then for each
out-channel tile and output row: a PSUM accumulator [128, out_width] is cleared; for each
in-channel tile and filter row, one input row [128 channels, width] is DMA'd in and the three
filter columns are three matmuls (stationary: the tap's [in, out] weights; moving: the input
row shifted by the column) accumulated in PSUM; the row is copied to SBUF; after pool_size
rows, a max over the (row, column) pool window (one tensor_reduce over axes 1 and 3), a bias
load and add, and one store of the pooled row.

Front-end gaps, and how this file bridges them (pool_size 1 only):
- nisa.tensor_reduce over some free axes (the public kernel's axis=(1, 3) of a
  [P, pool, wp, pool] view, keeping axis 2) is refused: trn2sim reduces all free axes. With
  pool_size 1 every window holds one element, so the result is the row itself: it is written
  as one DVE tensor_copy [P, w_out] (the same engine, elements and output; the model costs a
  DVE tensor_reduce of [128, 222] at 387 ns against 231 ns (fp32) / 67 ns (fp16) for the copy:
  at most 444 x 320 ns = 0.14 ms over the run, on an engine 8-13% busy). pool_size 2 is
  refused.
- nisa.tensor_tensor(pooled [P, wp], bias [P, 1]) (NKI accepted it: the run passed) is
  written with the bias read through a stride-0 access pattern, bias.ap([[1, P], [0, wp]]):
  one tensor_tensor, as written.
- `rows[:, p, :] = nisa.tensor_copy(acc)` is written with dst= (one copy that casts to the
  row's dtype on write). In the earlier form the front end would add a second copy for the
  fp16 run (it retargets only same-dtype results); NKI's tracer writes an assigned
  instruction's result into its target (an assumption: the NEFF is not published).

row_tile_per_load (not in the public kernel; default False, what cases.json runs): declare
the input-row tile at each load instead of once, so that compiler={"sequential_buffers": N}
can rotate it; used only for the sensitivity runs reported alongside the table.
"""
from trn2sim import nki

nl = nki.language
nisa = nki.isa


@nki.compiler.skip_middle_end_transformations
@nki.jit
def conv2d_maxpool(X, W, bias, pool_size=1, row_tile_per_load=False):
    n_b, c_in, h_in, w_in = X.shape
    c_out, c_in2, kh, kw = W.shape
    assert c_in2 == c_in and bias.shape[0] == c_out and c_in % 128 == 0 and c_out % 128 == 0
    h_out, w_out = h_in - kh + 1, w_in - kw + 1
    assert w_out <= nl.tile_size.gemm_moving_fmax
    hp, wp = h_out // pool_size, w_out // pool_size
    assert pool_size == 1, "pool_size 2 needs tensor_reduce over axes (1, 3), not in trn2sim's front end"
    P = nl.tile_size.pmax
    t_in, t_out = c_in // P, c_out // P

    Y = nl.ndarray((n_b, c_out, hp, wp), dtype=X.dtype, buffer=nl.hbm)
    wts = nl.ndarray((P, P, t_out, t_in, kh, kw), dtype=W.dtype, buffer=nl.sbuf)
    row_in = nl.ndarray((P, w_in), dtype=X.dtype, buffer=nl.sbuf)
    rows = nl.ndarray((P, pool_size, w_out), dtype=X.dtype, buffer=nl.sbuf)

    for to in nl.affine_range(t_out):
        for ti in nl.affine_range(t_in):
            nisa.dma_copy(dst=wts[:, :, to, ti, :, :], src=W[to * P:(to + 1) * P, ti * P:(ti + 1) * P, :, :])
            for a in nl.sequential_range(kh):
                for c in nl.sequential_range(kw):
                    flipped = nl.transpose(wts[:, :, to, ti, a, c])       # [in, out] in PSUM
                    wts[:, :, to, ti, a, c] = nisa.tensor_copy(flipped)

    for bi in nl.sequential_range(n_b):
        for to in nl.sequential_range(t_out):
            for r in nl.sequential_range(hp):
                for p in nl.sequential_range(pool_size):
                    y = r * pool_size + p
                    acc = nl.zeros((P, w_out), dtype=nl.float32, buffer=nl.psum)
                    for ti in nl.sequential_range(t_in):
                        for a in nl.sequential_range(kh):
                            if row_tile_per_load:   # sensitivity runs only (see the header)
                                row_in = nl.ndarray((P, w_in), dtype=X.dtype, buffer=nl.sbuf)
                            nisa.dma_copy(dst=row_in, src=X[bi, ti * P:(ti + 1) * P, y + a, :])
                            for c in nl.sequential_range(kw):
                                acc += nisa.nc_matmul(wts[:, :, to, ti, a, c], row_in[:, c:c + w_out])
                    nisa.tensor_copy(dst=rows[:, p, :], src=acc)
                # max over the pool window; with pool_size 1 a copy (see the header)
                pooled = nisa.tensor_copy(rows[:, 0, :], engine=nisa.vector_engine)    # [P, wp]
                b_col = nl.ndarray((P, 1), dtype=bias.dtype, buffer=nl.sbuf)
                nisa.dma_copy(dst=b_col, src=bias[to * P:(to + 1) * P])
                pooled = nisa.tensor_tensor(pooled, b_col.ap(pattern=[[1, P], [0, wp]]), op=nl.add)
                nisa.dma_copy(dst=Y[bi, to * P:(to + 1) * P, r], src=pooled)
    return Y
