"""Matrix transpose through the tensor engine, in the current NKI API (dst= everywhere).

out[N, M] = in[M, N]^T, in tiles of at most [128, 128]: each tile is DMA'd into SBUF,
transposed by the PE into PSUM (nisa.nc_transpose), copied back to SBUF
(nisa.tensor_copy) and DMA'd to its transposed place in HBM. Edge tiles (M or N not a
multiple of 128) use the leading part of the tile buffers.

    PYTHONPATH=python python3 examples/transpose.py
"""
import numpy as np

import trn2sim
from trn2sim import nki

nl = nki.language
nisa = nki.isa

TILE = 128  # nl.tile_size.pmax: a PE transpose takes at most 128 x 128


@nki.jit
def transpose_kernel(in_tensor):
    M, N = in_tensor.shape
    out_tensor = nl.ndarray((N, M), dtype=in_tensor.dtype, buffer=nl.shared_hbm)
    for m in nl.affine_range((M + TILE - 1) // TILE):
        for n in nl.affine_range((N + TILE - 1) // TILE):
            rows = min(TILE, M - m * TILE)   # partitions of the input tile
            cols = min(TILE, N - n * TILE)   # its free size: the partitions of the transposed tile
            in_sb = nl.ndarray((TILE, TILE), dtype=in_tensor.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=in_sb[0:rows, 0:cols],
                          src=in_tensor[m * TILE:m * TILE + rows, n * TILE:n * TILE + cols])
            t_psum = nl.ndarray((TILE, TILE), dtype=in_tensor.dtype, buffer=nl.psum)
            nisa.nc_transpose(dst=t_psum[0:cols, 0:rows], data=in_sb[0:rows, 0:cols])
            t_sb = nl.ndarray((TILE, TILE), dtype=in_tensor.dtype, buffer=nl.sbuf)
            nisa.tensor_copy(dst=t_sb[0:cols, 0:rows], src=t_psum[0:cols, 0:rows])
            nisa.dma_copy(dst=out_tensor[n * TILE:n * TILE + cols, m * TILE:m * TILE + rows],
                          src=t_sb[0:cols, 0:rows])
    return out_tensor


def main(M=1024, N=768, lnc=1):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((M, N), dtype=np.float32)
    out, report = trn2sim.simulate(transpose_kernel, a, lnc=lnc)
    assert out.shape == (N, M) and np.array_equal(out, a.T), "transpose differs from numpy"
    print(f"transpose [{M}, {N}] fp32 via PE: {report['total_time_us']:.3f} us simulated, "
          f"bit-exact against numpy")
    return out, report


if __name__ == "__main__":
    main()
