"""Tile-by-tile matrix transpose through the PE (CS149 asst4-trainium2, part 1, step 3).

Public source: github xaviergonzalez/asst4-trainium2, commit c8ba7c8 ("finished warm up"),
part1/kernels.py `matrix_transpose`; its measurement is in writeup.md (same commit, and at
1f089e2): "Execution Time: 86 us" for `python run_benchmark.py --kernel transpose -n 1024`,
i.e. a 1024 x 1024 float32 matrix, nki.benchmark(warmup=1, iters=10) NeuronCore latency
p99 (run_benchmark.py), the course's trn2.3xlarge, DGE on (no --disable-dge without a
profile name). The kernel carries @nki.compiler.skip_middle_end_transformations.

Structure (read from the public kernel, written here): for every 128 x 128 tile (m, n) of
the input, one DMA into a fresh SBUF tile, one nc_transpose into PSUM, one tensor_copy
(engine left to the compiler) back to SBUF, one DMA to tile (n, m) of the output.
"""
from trn2sim import nki

nl = nki.language
nisa = nki.isa


@nki.compiler.skip_middle_end_transformations
@nki.jit
def transpose_tiles(a):
    rows, cols = a.shape
    t = nl.tile_size.pmax
    assert rows % t == 0 and cols % t == 0
    out = nl.ndarray((cols, rows), dtype=a.dtype, buffer=nl.hbm)
    for bi in nl.affine_range(rows // t):
        for bj in nl.affine_range(cols // t):
            tile = nl.ndarray((t, t), dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=tile, src=a[bi * t:(bi + 1) * t, bj * t:(bj + 1) * t])
            flipped = nisa.nc_transpose(tile)          # PSUM
            back = nisa.tensor_copy(flipped)           # PSUM -> SBUF, engine=unknown
            nisa.dma_copy(dst=out[bj * t:(bj + 1) * t, bi * t:(bi + 1) * t], src=back)
    return out
