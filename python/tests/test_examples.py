"""The examples/ kernels: numerics against numpy at a small and a medium shape, the report's
shape, and every example's `__main__` run as a user runs it (so that none can rot).

    PYTHONPATH=python TRN2SIM_BINARY=build/trn2sim python3 -m pytest python/tests/test_examples.py
"""
import glob
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON_DIR = os.path.join(ROOT, "python")
EXAMPLES_DIR = os.path.join(ROOT, "examples")
sys.path.insert(0, PYTHON_DIR)

import trn2sim  # noqa: E402


def example(name):
    """examples/<name>.py as a module (under a name of its own, not `__main__`)."""
    spec = importlib.util.spec_from_file_location(f"trn2sim_example_{name}", os.path.join(EXAMPLES_DIR, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


transpose = example("transpose")
matmul = example("matmul")
rmsnorm = example("rmsnorm")


def check_report(report, example_file, spaces):
    """total_time_us > 0 and a front_end block listing the kernel's buffers."""
    assert report["total_time_us"] > 0
    fe = report["front_end"]
    buffers = fe["buffers"]
    assert buffers, "the front_end block lists no buffers"
    for b in buffers:
        assert b["space"] in ("sbuf", "psum")
        assert b["bytes_per_partition"] > 0 and b["buffers"] >= 1 and b["allocations"] >= 1
        assert b["rule"]
        if b["name"] != "identity":  # the compiler's identity for PE transposes
            assert os.path.basename(b["tile"].rsplit(":", 1)[0]) == example_file, b["tile"]
    assert {b["space"] for b in buffers} == set(spaces)
    assert fe["sbuf_bytes_per_partition"] > 0
    assert set(fe["compiler"]) == set(trn2sim.DEFAULT_COMPILER)


def bf16_round(a):
    return matmul.bf16_round(a)


# --- transpose --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(200, 300), (1024, 768)], ids=["small_edge_tiles", "medium"])
def test_transpose(shape):
    a = np.random.default_rng(7).standard_normal(shape, dtype=np.float32)
    out, report = trn2sim.simulate(transpose.transpose_kernel, a, lnc=1)
    assert out.shape == shape[::-1] and np.array_equal(out, a.T)
    check_report(report, "transpose.py", {"sbuf", "psum"})


def test_transpose_bf16():
    a = np.random.default_rng(8).standard_normal((96, 160), dtype=np.float32)
    out, report = trn2sim.simulate(transpose.transpose_kernel, trn2sim.bf16(a), lnc=1)
    assert np.array_equal(out, bf16_round(a).T)
    check_report(report, "transpose.py", {"sbuf", "psum"})


# --- matmul -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("K,M,N", [(128, 128, 512), (512, 256, 1024)], ids=["small", "medium"])
def test_matmul(K, M, N, dtype):
    rng = np.random.default_rng(K + M + N)
    lhsT = rng.standard_normal((K, M), dtype=np.float32)
    rhs = rng.standard_normal((K, N), dtype=np.float32)
    if dtype == "bfloat16":
        args, (lhsT, rhs) = (trn2sim.bf16(lhsT), trn2sim.bf16(rhs)), (bf16_round(lhsT), bf16_round(rhs))
    else:
        args = (lhsT, rhs)
    out, report = trn2sim.simulate(matmul.matmul_kernel, *args, lnc=1)
    assert out.dtype == np.float32 and out.shape == (M, N)
    # bit-exact against the PE's order of fp32 operations (matmul.reference) ...
    assert np.array_equal(out, matmul.reference(lhsT, rhs))
    # ... and close to the float64 product
    np.testing.assert_allclose(out, lhsT.astype(np.float64).T @ rhs, rtol=1e-4, atol=1e-4)
    check_report(report, "matmul.py", {"sbuf", "psum"})
    assert report["cores"][0]["engines"]["pe"]["instruction_count"] == (K // 128) * (M // 128) * (N // 512)


# --- rmsnorm ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("R,D", [(200, 96), (512, 1024)], ids=["small_partial_tile", "medium"])
def test_rmsnorm(R, D):
    rng = np.random.default_rng(R + D)
    x = rng.standard_normal((R, D), dtype=np.float32)
    gamma = rng.uniform(0.5, 1.5, D).astype(np.float32)
    out, report = trn2sim.simulate(rmsnorm.rmsnorm_kernel, x, gamma, lnc=1)
    assert np.array_equal(out, rmsnorm.reference(x, gamma))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(out, x64 / np.sqrt((x64 ** 2).mean(1, keepdims=True) + 1e-6) * gamma,
                               rtol=1e-5, atol=1e-6)
    check_report(report, "rmsnorm.py", {"sbuf"})


def test_rmsnorm_bf16_and_eps():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((128, 256), dtype=np.float32)
    gamma = rng.uniform(0.5, 1.5, 256).astype(np.float32)
    out, report = trn2sim.simulate(rmsnorm.rmsnorm_kernel, trn2sim.bf16(x), trn2sim.bf16(gamma), eps=1e-3, lnc=1)
    # the DMAs convert bf16 -> fp32 on the way in and round to nearest even on the way out
    assert np.array_equal(out, bf16_round(rmsnorm.reference(bf16_round(x), bf16_round(gamma), eps=1e-3)))
    check_report(report, "rmsnorm.py", {"sbuf"})


# --- every example's __main__ --------------------------------------------------------------------------------
EXAMPLE_FILES = sorted(glob.glob(os.path.join(EXAMPLES_DIR, "*.py")))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[os.path.basename(p) for p in EXAMPLE_FILES])
def test_example_main_runs(path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PYTHON_DIR] + [p for p in [env.get("PYTHONPATH")] if p])
    env.setdefault("TRN2SIM_BINARY", trn2sim._run.binary())
    run = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert run.returncode == 0, f"{os.path.basename(path)} failed:\n{run.stdout}\n{run.stderr}"
    assert " us" in run.stdout, f"{os.path.basename(path)} printed no simulated time:\n{run.stdout}"
