"""The seed kernel in Python (examples/depthwise_conv1d.py) emits the C++ kernel's program.

For each config, the C++ kernel's program (`trn2sim CONFIG --dump-program`) and the Python
kernel's (traced by trn2sim.simulate, its dependencies inferred by `trn2sim run-program
--dump-program`) must agree on the HBM tensors, every field of every instruction (the
Python-only `source` aside), the dependencies and the allocation records; and the two runs
must take the same number of cycles. The binary is $TRN2SIM_BINARY (see trn2sim._run.binary).

    TRN2SIM_BINARY=build/trn2sim PYTHONPATH=python /usr/bin/python3 -m pytest python/tests/test_seed_kernel.py
"""
import importlib.util
import json
import os
import subprocess

import numpy as np
import pytest

import trn2sim
from trn2sim._run import binary

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("depthwise_conv1d_example",
                                               os.path.join(ROOT, "examples", "depthwise_conv1d.py"))
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)

CONFIGS = [
    "configs/depthwise_default.json",                            # the seed: [1, 384, 1, 2051] S=4 fp32
    "configs/matrix/n1_c16_w128_s128_pad10_fp32.json",           # padding on both sides, S = 128
    "configs/matrix/n2_c64_w1000_s7_stride2_pad3_fp32.json",     # stride 2 with padding (bulk + strided copy)
    "configs/matrix/n1_c32_w5000_s31_stride16_pad10_bf16.json",  # bf16, stride 16, padding
    "configs/matrix/n3_c6_w700_s200_pad5_2_fp16.json",           # S > 128: two S tiles, uneven padding, fp16
    "configs/matrix/n1_c4_w5000_s4093_fp32.json",                # 32 S tiles, the last partial
    "configs/matrix/n1_c8_w512_s3_bf16_fp16_filter.json",        # bf16 input with an fp16 filter
    "configs/matrix/n2_c10_w129_s3_stride3_pad1_fp16.json",      # stride 3, padding, batch 2
    "configs/matrix/n4_c256_w512_s128_bf16.json",                # bf16, batch 4, S = 128
]

_NP = {"float32": np.float32, "float16": np.float16}


def _array(rng, shape, dtype):
    a = rng.standard_normal(shape, dtype=np.float32)
    if dtype == "bfloat16":
        return trn2sim.bf16(a)
    return a.astype(_NP[dtype])


def _values(a):
    """The values the model holds: bfloat16 inputs rounded as trn2sim.bf16 rounds them."""
    if isinstance(a, trn2sim.bf16):
        return a.values()
    return a


def _run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[-2000:]}"
    return r


def _strip(instruction):
    return {k: v for k, v in instruction.items() if k != "source"}


def _first_difference(cpp, py):
    for i, (a, b) in enumerate(zip(cpp, py)):
        if _strip(a) != _strip(b):
            keys = sorted(k for k in (set(a) | set(b)) - {"source"} if a.get(k) != b.get(k))
            return f"instruction {i} differs in {keys}:\n  C++:    {json.dumps(a)}\n  Python: {json.dumps(b)}"
    return f"the streams have {len(cpp)} and {len(py)} instructions"


# Corners the matrix does not reach, as temporary configs: a partial channel tile (130
# channels per core: tiles of 128 and 2, the filter memsets), an input too wide for
# `buffers` sets of it in SBUF (one set), buffers 1 and 8 (8: 6 PSUM accumulators), lnc 1,
# every S tile padded with stride > 1 (no bulk pool), padding wider than the input.
KERNELS = {
    "partial_channel_tile": {"channels": 260, "width": 300, "kernel_size": 5, "padding": [2, 1]},
    "one_input_set": {"channels": 2, "width": 40000, "kernel_size": 3},
    "buffers1_stride2": {"channels": 8, "width": 700, "kernel_size": 200, "padding": [3, 3], "stride": 2, "buffers": 1},
    "buffers8_bf16": {"channels": 8, "width": 2000, "kernel_size": 7, "padding": [1, 0], "stride": 3, "buffers": 8,
                      "dtype": "bfloat16"},
    "lnc1_fp16": {"channels": 6, "width": 300, "kernel_size": 130, "padding": [0, 4], "lnc": 1, "buffers": 3,
                  "dtype": "float16"},
    "all_padded_stride5": {"channels": 4, "width": 100, "kernel_size": 9, "padding": [4, 4], "stride": 5},
    "padding_wider_than_input": {"channels": 4, "width": 50, "kernel_size": 60, "padding": [20, 20]},
}


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: os.path.splitext(os.path.basename(c))[0])
def test_python_kernel_emits_the_cpp_program(config, tmp_path):
    compare(os.path.join(ROOT, config), tmp_path)


@pytest.mark.parametrize("name", KERNELS)
def test_python_kernel_emits_the_cpp_program_in_corners(name, tmp_path):
    kernel = {"name": "depthwise_conv1d_implicit_gemm", "batch": 1, "dtype": "float32", "lnc": 2}
    kernel.update(KERNELS[name])
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"kernel": kernel, "inputs": {"seed": 0}, "check": {"atol": 0.05, "rtol": 0.05}}))
    compare(str(config), tmp_path)


def compare(config, tmp_path):
    with open(config) as f:
        k = json.load(f)["kernel"]
    assert k["name"] == "depthwise_conv1d_implicit_gemm" and k.get("variant", "nkilib") == "nkilib"

    # The C++ kernel: its program and report.
    cpp_program, cpp_report = tmp_path / "cpp_program.json", tmp_path / "cpp_report.json"
    _run([binary(), config, "--dump-program", str(cpp_program), "--report", str(cpp_report),
          "--log-level", "error"])

    # The Python kernel on the same shape: traced and run by simulate (its program kept),
    # then its dependencies inferred and written out by run-program.
    N, C, W, S = k["batch"], k["channels"], k["width"], k["kernel_size"]
    dtype = k.get("dtype", "float32")
    filter_dtype = k.get("filter_dtype", dtype)
    stride, padding = k.get("stride", 1), tuple(k.get("padding", [0, 0]))
    lnc, buffers = k.get("lnc", 2), k.get("buffers", 2)
    rng = np.random.default_rng(0)
    x, w = _array(rng, (N, C, 1, W), dtype), _array(rng, (C, 1, 1, S), filter_dtype)
    keep = tmp_path / "python"
    out, py_report = trn2sim.simulate(example.depthwise_conv1d[lnc], x, w, stride=stride, padding=padding,
                                      buffers=buffers, lnc=lnc, compiler=example.COMPILER, keep=str(keep))
    py_program = tmp_path / "py_program.json"
    _run([binary(), "run-program", str(keep / "program.json"), "--dump-program", str(py_program),
          "--log-level", "error"])

    with open(cpp_program) as f:
        cpp = json.load(f)
    with open(py_program) as f:
        py = json.load(f)
    # The programs' keys but `kernel`, a name for reports: the C++ kernel's config name
    # (depthwise_conv1d_implicit_gemm) against the Python kernel function's (depthwise_conv1d).
    assert (cpp["kernel"], py["kernel"]) == ("depthwise_conv1d_implicit_gemm", "depthwise_conv1d")
    assert set(cpp) == set(py) == {"kernel", "tensors", "hbm_bytes", "cores", "allocations"}
    assert py["tensors"] == cpp["tensors"]
    assert py["hbm_bytes"] == cpp["hbm_bytes"]
    assert len(py["cores"]) == len(cpp["cores"]) == lnc
    for core, (a, b) in enumerate(zip(cpp["cores"], py["cores"])):
        same = len(a) == len(b) and all(_strip(i) == _strip(j) for i, j in zip(a, b))
        assert same, f"core {core}: " + _first_difference(a, b)
    assert all("source" in i for c in py["cores"] for i in c)  # the one key only Python writes
    assert py["allocations"] == cpp["allocations"]

    # The same run, to the cycle.
    with open(cpp_report) as f:
        cpp_cycles = json.load(f)["neuroncore_cycle_count"]
    assert py_report["neuroncore_cycle_count"] == cpp_cycles

    # And the Python kernel computes the convolution.
    ref = example.reference(_values(x), _values(w), stride, padding)
    assert out.shape == ref.shape
    tol = 1e-4 if dtype == "float32" else 2e-2
    np.testing.assert_allclose(out, ref, rtol=tol, atol=tol * max(1.0, np.abs(ref).max()))
