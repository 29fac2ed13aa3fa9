"""The front end's compiler defaults reproduce what the public NEFFs show: the course's
vector-add kernels, written in Python as the course writes them, take exactly the cycles of
the validation cases (validation/cases.json), whose programs encode the NEFFs' buffers and
queues by hand. So the front end's timing of these kernels is the validated timing."""
import json
import os
import subprocess

import numpy as np
import pytest

from trn2sim import nki, simulate

nl = nki.language
nisa = nki.isa
VALIDATE = os.environ.get("TRN2SIM_VALIDATE_BINARY",
                          os.path.join(os.path.dirname(__file__), "..", "..", "build", "trn2sim_validate"))


@nki.jit
def vector_add_stream(a_vec, b_vec, free_dim):
    out = nl.ndarray(a_vec.shape, dtype=a_vec.dtype, buffer=nl.hbm)
    cols = a_vec.shape[0] // 128
    a, b, o = a_vec.reshape((128, cols)), b_vec.reshape((128, cols)), out.reshape((128, cols))
    for m in nl.affine_range(cols // free_dim):
        span = nl.ds(m * free_dim, free_dim)
        a_tile = nl.load(a[:, span])
        b_tile = nl.load(b[:, span])
        nl.store(o[:, span], value=nl.add(a_tile, b_tile))
    return out


@nki.jit
def vector_add_tiled(a_vec, b_vec, row_chunk):
    out = nl.ndarray(a_vec.shape, dtype=a_vec.dtype, buffer=nl.hbm)
    for m in nl.affine_range(a_vec.shape[0] // row_chunk):
        rows = nl.ds(m * row_chunk, row_chunk)
        a_tile = nl.load(a_vec[rows])
        b_tile = nl.load(b_vec[rows])
        nl.store(out[rows], value=nl.add(a_tile, b_tile))
    return out


@nki.jit
def transpose_tiles(a):
    """The course's 1024 x 1024 transpose: per 128 x 128 tile, a load, a PE transpose, a copy
    out of PSUM (on ACT, as the asst4 profiles show) and a store to the mirrored tile."""
    out = nl.ndarray((a.shape[1], a.shape[0]), dtype=a.dtype, buffer=nl.hbm)
    for i in nl.affine_range(a.shape[0] // 128):
        for j in nl.affine_range(a.shape[1] // 128):
            tile = nl.load(a[i * 128:(i + 1) * 128, j * 128:(j + 1) * 128])
            t = nl.ndarray((128, 128), dtype=a.dtype, buffer=nl.sbuf)
            nisa.tensor_copy(dst=t, src=nisa.nc_transpose(data=tile), engine=nisa.scalar_engine)
            nl.store(out[j * 128:(j + 1) * 128, i * 128:(i + 1) * 128], value=t)
    return out


def validated_body_us(case):
    run = subprocess.run([VALIDATE, case], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])["body_us"]


@pytest.mark.parametrize("case, kernel, n, param", [
    ("asst4_vector_add_fd1k", vector_add_stream, 256000, 1000),   # 2 iterations: 2 buffers
    ("asst4_vector_add_fd2k", vector_add_stream, 256000, 2000),   # 1 iteration
    ("cs149_vector_add_stream_fd2", vector_add_stream, 25600, 2),  # 100 iterations: 1 buffer
    ("cs149_vector_add_tiled_rc128", vector_add_tiled, 25600, 128),  # 200 iterations of [128, 1]
])
def test_python_kernel_takes_the_validated_cycles(case, kernel, n, param):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
    out, report = simulate(kernel, a, b, param, lnc=1)
    np.testing.assert_array_equal(out, a + b)
    assert report["total_time_us"] == pytest.approx(validated_body_us(case), rel=0, abs=1e-9)


def test_python_transpose_takes_the_validated_cycles():
    # 64 iterations: a buffer set each; the compiler's identity load on its own queue, which
    # the first transpose waits for (the asst4 NEFF, docs/validation.md).
    a = np.random.default_rng(2).standard_normal((1024, 1024), dtype=np.float32)
    out, report = simulate(transpose_tiles, a, lnc=1)
    np.testing.assert_array_equal(out, a.T)
    assert report["total_time_us"] == pytest.approx(validated_body_us("asst4_transpose_1024"), rel=0, abs=1e-9)
