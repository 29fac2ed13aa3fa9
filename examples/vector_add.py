"""Vector add in the earlier NKI API (course kernels): nl.load, nl.add, nl.store."""
import numpy as np

from trn2sim import nki, simulate

nl = nki.language


@nki.jit
def vector_add(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    rows, cols = a.shape
    for i in nl.affine_range(rows // 128):
        a_tile = nl.load(a[i * 128:(i + 1) * 128, :])
        b_tile = nl.load(b[i * 128:(i + 1) * 128, :])
        nl.store(out[i * 128:(i + 1) * 128, :], value=nl.add(a_tile, b_tile))
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 1024), dtype=np.float32)
    b = rng.standard_normal((512, 1024), dtype=np.float32)
    out, report = simulate(vector_add, a, b, lnc=1)
    assert np.array_equal(out, a + b)
    print(f"vector_add [512, 1024] fp32: {report['total_time_us']:.3f} us, "
          f"{report['simulator']['instructions']} instructions, numerics match numpy")
