"""Tiled matrix multiply in the earlier NKI API (nl.load, `psum += nisa.nc_matmul(...)`,
nl.copy, nl.store), the layout of the NKI tutorials: C[M, N] = lhsT[K, M]^T @ rhs[K, N].

The contraction axis K sits on the partitions of both operands. Each [128, 512] tile of C
is accumulated in one PSUM bank over the K tiles (128 rows each), copied to SBUF and
stored. Inputs are fp32 or bf16 (trn2sim.bf16(array)); C is fp32 either way.

    PYTHONPATH=python python3 examples/matmul.py
"""
import numpy as np

import trn2sim
from trn2sim import nki

nl = nki.language
nisa = nki.isa

TILE_M = nl.tile_size.gemm_stationary_fmax  # 128: columns of the stationary operand
TILE_N = nl.tile_size.gemm_moving_fmax      # 512: columns of the moving operand (one PSUM bank of fp32)
TILE_K = nl.tile_size.pmax                  # 128: the contraction, on partitions


@nki.jit
def matmul_kernel(lhsT, rhs):
    K, M = lhsT.shape
    K2, N = rhs.shape
    assert K == K2, "lhsT and rhs must share the contraction axis K"
    assert M % TILE_M == 0 and N % TILE_N == 0 and K % TILE_K == 0, "shapes must be multiples of the tiles"
    result = nl.ndarray((M, N), dtype=nl.float32, buffer=nl.shared_hbm)

    for m in nl.affine_range(M // TILE_M):
        for n in nl.affine_range(N // TILE_N):
            res_psum = nl.zeros((TILE_M, TILE_N), nl.float32, buffer=nl.psum)
            for k in nl.affine_range(K // TILE_K):
                lhsT_tile = nl.load(lhsT[k * TILE_K:(k + 1) * TILE_K, m * TILE_M:(m + 1) * TILE_M])
                rhs_tile = nl.load(rhs[k * TILE_K:(k + 1) * TILE_K, n * TILE_N:(n + 1) * TILE_N])
                res_psum += nisa.nc_matmul(lhsT_tile, rhs_tile)
            res_sb = nl.copy(res_psum, dtype=result.dtype)
            nl.store(result[m * TILE_M:(m + 1) * TILE_M, n * TILE_N:(n + 1) * TILE_N], value=res_sb)
    return result


def bf16_round(a):
    """fp32 values rounded to bfloat16, as float32: what trn2sim.bf16 passes."""
    return trn2sim.bf16(a).values()


def reference(lhsT, rhs):
    """What the PE and PSUM compute, in the same fp32 operations: within a K tile the
    products are added in ascending k (starting from 0), and each K tile's sum is added to
    the PSUM bank (which nl.zeros cleared). Bit-exact against the model."""
    lhsT, rhs = np.asarray(lhsT, np.float32), np.asarray(rhs, np.float32)
    K, M = lhsT.shape
    out = np.zeros((M, rhs.shape[1]), np.float32)
    for k0 in range(0, K, TILE_K):
        acc = np.zeros_like(out)
        for k in range(k0, k0 + TILE_K):
            acc = acc + lhsT[k][:, None] * rhs[k][None, :]
        out = out + acc
    return out


def main(K=512, M=256, N=1024):
    rng = np.random.default_rng(0)
    lhsT = rng.standard_normal((K, M), dtype=np.float32)
    rhs = rng.standard_normal((K, N), dtype=np.float32)
    exact_f32 = reference(lhsT, rhs)
    out, report = trn2sim.simulate(matmul_kernel, lhsT, rhs, lnc=1)
    assert np.array_equal(out, exact_f32), "fp32 matmul differs from the PE's fp32 sums"
    np.testing.assert_allclose(out, lhsT.astype(np.float64).T @ rhs, rtol=1e-4, atol=1e-4)

    a16, b16 = bf16_round(lhsT), bf16_round(rhs)
    out16, report16 = trn2sim.simulate(matmul_kernel, trn2sim.bf16(lhsT), trn2sim.bf16(rhs), lnc=1)
    assert np.array_equal(out16, reference(a16, b16)), "bf16 matmul differs from the PE's fp32 sums"
    print(f"matmul lhsT [{K}, {M}] x rhs [{K}, {N}] -> fp32: {report['total_time_us']:.3f} us simulated (fp32 "
          f"inputs), {report16['total_time_us']:.3f} us (bf16 inputs), both bit-exact against numpy")
    return (out, report), (out16, report16)


if __name__ == "__main__":
    main()
