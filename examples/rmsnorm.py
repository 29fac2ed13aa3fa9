"""RMSNorm over the rows of x[R, D], in the current NKI API (dst= everywhere):

    out[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * gamma

Rows go on partitions, 128 at a time (the last tile may be partial). Per row tile: one ACT
instruction squares the rows and sums each partition's squares (activation with
reduce_res), a second computes rsqrt(sum * (1/D) + eps) on the [P, 1] sums, DVE scales each
row by its partition's factor (tensor_scalar with a [P, 1] operand) and multiplies by gamma,
which one DMA broadcasts to every partition (an HBM access pattern with partition step 0).
Tiles are fp32; x may be fp32 or bf16 (the DMA converts both ways, rounding to nearest even).

    PYTHONPATH=python python3 examples/rmsnorm.py
"""
import numpy as np

import trn2sim
from trn2sim import nki

nl = nki.language
nisa = nki.isa

P = nl.tile_size.pmax


@nki.jit
def rmsnorm_kernel(x, gamma, eps=1e-6):
    R, D = x.shape
    out = nl.ndarray((R, D), dtype=x.dtype, buffer=nl.shared_hbm)

    # gamma[D] on every partition: partition step 0 re-reads the same D elements.
    gamma_sb = nl.ndarray((P, D), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=gamma_sb, src=gamma.ap(pattern=[[0, P], [1, D]], offset=0))

    for t in nl.affine_range((R + P - 1) // P):
        rows = min(P, R - t * P)
        x_sb = nl.ndarray((P, D), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=x_sb[0:rows, :], src=x[t * P:t * P + rows, :])

        # Sum of squares per row: the squares go to a scratch tile, their sums to sq_sum.
        squares = nl.ndarray((P, D), dtype=nl.float32, buffer=nl.sbuf)
        sq_sum = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=squares[0:rows, :], op=nl.square, data=x_sb[0:rows, :],
                        reduce_op=nl.add, reduce_res=sq_sum[0:rows, 0:1])

        # 1 / sqrt(sum / D + eps), one value per partition.
        inv_rms = nl.ndarray((P, 1), dtype=nl.float32, buffer=nl.sbuf)
        nisa.activation(dst=inv_rms[0:rows, :], op=nl.rsqrt, data=sq_sum[0:rows, :], scale=1.0 / D, bias=eps)

        # x * inv_rms (per partition), then * gamma (per column).
        y_sb = nl.ndarray((P, D), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_scalar(dst=y_sb[0:rows, :], data=x_sb[0:rows, :], op0=nl.multiply, operand0=inv_rms[0:rows, :])
        nisa.tensor_tensor(dst=y_sb[0:rows, :], data1=y_sb[0:rows, :], data2=gamma_sb[0:rows, :], op=nl.multiply)

        nisa.dma_copy(dst=out[t * P:t * P + rows, :], src=y_sb[0:rows, :])
    return out


def reference(x, gamma, eps=1e-6):
    """The model's fp32 operations in order: squares summed left to right, then
    1 / sqrt(sum * float32(1/D) + float32(eps)), then x * that * gamma. Bit-exact."""
    x, gamma = np.asarray(x, np.float32), np.asarray(gamma, np.float32)
    D = x.shape[1]
    sq = x * x
    s = np.zeros(x.shape[0], np.float32)
    for j in range(D):
        s = s + sq[:, j]
    inv = np.float32(1.0) / np.sqrt(s * np.float32(1.0 / D) + np.float32(eps))
    return (x * inv[:, None]) * gamma[None, :]


def main(R=512, D=1024):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((R, D), dtype=np.float32)
    gamma = rng.uniform(0.5, 1.5, D).astype(np.float32)
    out, report = trn2sim.simulate(rmsnorm_kernel, x, gamma, lnc=1)
    assert np.array_equal(out, reference(x, gamma)), "rmsnorm differs from numpy"
    # and the same within fp32 rounding of the float64 formula
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(out, x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * gamma,
                               rtol=1e-5, atol=1e-6)
    print(f"rmsnorm [{R}, {D}] fp32: {report['total_time_us']:.3f} us simulated, bit-exact against numpy")
    return out, report


if __name__ == "__main__":
    main()
