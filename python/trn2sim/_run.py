"""trn2sim.simulate: trace a kernel, run the program on the model in a child process (a
SystemC model elaborates once per process), return the outputs and the report."""
import inspect
import math
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings

import numpy as np

from . import _trace
from ._errors import KernelError
from ._floats import FP8, from_bf16_bits, from_fp8_bits, to_bf16_bits, to_fp8_bits
from ._tensor import Tensor, as_dtype
from ._patterns import full_view
from ._sites import frame_site, in_package
from ._trace import Tracer

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
    """The trn2sim executable: $TRN2SIM_BINARY, the checkout's build/trn2sim, or PATH."""
    for path in (os.environ.get("TRN2SIM_BINARY"), os.path.join(_ROOT, "build", "trn2sim"), shutil.which("trn2sim")):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("trn2sim binary not found: build it (bash scripts/setup.sh) or set TRN2SIM_BINARY")


def limits(hardware=None):
    """The capacities the tracer allocates against: configs/trn2.json with the overrides (the
    simulator checks every override's range; here only what the tracer needs)."""
    with open(os.path.join(_ROOT, "configs", "trn2.json")) as f:
        config = json.load(f)
    if hardware is not None and not isinstance(hardware, dict):
        raise KernelError(f"hardware must be a dict of configs/trn2.json overrides, not {type(hardware).__name__}")
    config.update(hardware or {})
    out = {"partitions": 128}
    for key in ("sbuf_partition_bytes", "psum_partition_bytes", "psum_bank_bytes", "dma_queues"):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or value != int(value):
            raise KernelError(f"hardware {key}={value!r} must be a positive integer")
        out[key] = int(value)
    return out


class Cast:
    """A numpy array to be passed in a dtype numpy lacks, rounded to nearest even:
    `trn2sim.bf16(a)`, `trn2sim.fp8_e4m3(a)`, `trn2sim.fp8_e5m2(a)`. Arrays of ml_dtypes'
    bfloat16 / float8_e4m3 / float8_e5m2 are taken as they are."""

    def __init__(self, array, dtype):
        self.array = np.asarray(array, dtype=np.float32)
        self.shape, self.dtype = self.array.shape, as_dtype(dtype)

    def values(self):
        """The values the model holds: the array rounded to the dtype, as float32."""
        return _values(_bits(self.array, self.dtype), self.dtype)


class bf16(Cast):
    def __init__(self, array):
        super().__init__(array, "bfloat16")


class fp8_e4m3(Cast):
    def __init__(self, array):
        super().__init__(array, "float8_e4m3")


class fp8_e5m2(Cast):
    def __init__(self, array):
        super().__init__(array, "float8_e5m2")


def _bits(a, dtype):
    """The raw bits the simulator's .npy holds for a float32 array in `dtype`."""
    if dtype.name == "bfloat16":
        return to_bf16_bits(a)
    return to_fp8_bits(a, dtype.name)


def _values(bits, dtype):
    """float32 values of an output read back from the simulator."""
    if dtype.name == "bfloat16":
        return from_bf16_bits(bits)
    if dtype.name in FP8:
        return from_fp8_bits(bits, dtype.name)
    return bits


def _input_dtype(x):
    return x.dtype if isinstance(x, Cast) else as_dtype(x.dtype)


def _npy_payload(x):
    if isinstance(x, Cast):
        return _bits(x.array, x.dtype)
    if x.dtype.name == "bfloat16":  # ml_dtypes
        return np.ascontiguousarray(x).view(np.uint16)
    if x.dtype.name in FP8:
        return np.ascontiguousarray(x).view(np.uint8)
    return np.ascontiguousarray(x)


def _is_array(x):
    return isinstance(x, (np.ndarray, Cast))


def _trace_kernel(kernel, args, kwargs, lnc, hardware, compiler):
    """Traces the kernel twice: a sizing pass that gives every tile its own buffer and
    measures how many of each declaration are live at once and which assigned results are
    never used again (the compiler's liveness analysis), then the pass whose program runs."""
    from .nki import Kernel
    function = kernel.function if isinstance(kernel, Kernel) else kernel
    grid = kernel.grid if isinstance(kernel, Kernel) and kernel.grid else (1,)
    if lnc not in (1, 2):
        raise KernelError(f"lnc {lnc} must be 1 or 2 (physical cores of the logical core)")
    programs = math.prod(grid)
    if programs < lnc:
        warnings.warn(f"{function.__name__}: {programs} program(s) on {lnc} cores: core(s) {programs}..{lnc - 1} stay "
                      f"idle (launch {function.__name__}[{lnc}](...) to use them)", stacklevel=3)
    hw = limits(hardware)
    sizing = _trace_pass(Tracer(hw, compiler, lnc, function.__name__), function, grid, lnc, args, kwargs)[0]
    return _trace_pass(Tracer(hw, compiler, lnc, function.__name__, sizing=sizing), function, grid, lnc, args, kwargs)


def _trace_pass(tr, function, grid, lnc, args, kwargs):
    names = list(inspect.signature(function).parameters)
    views, inputs = [], {}
    for i, a in enumerate(args):
        if _is_array(a):
            name = names[i] if i < len(names) else f"arg{i}"
            s = tr.hbm_tensor(name, _input_dtype(a), a.shape, "input")
            inputs[s.name] = a
            views.append(full_view(s))
        else:
            views.append(a)
    kw_views = {}
    for k, a in kwargs.items():
        if _is_array(a):
            s = tr.hbm_tensor(k, _input_dtype(a), a.shape, "input")
            inputs[s.name] = a
            kw_views[k] = full_view(s)
        else:
            kw_views[k] = a
    _trace._current = tr
    try:
        results = None
        for program in range(math.prod(grid)):
            tr.start_program(program, grid, program % lnc)
            out = function(*views, **kw_views)
            tr.end_program()
            if program == 0:
                results = out
    except KernelError:
        raise
    except Exception as e:
        _reraise_located(e)
    finally:
        _trace._current = None
    return tr, inputs, results


def _reraise_located(e):
    """An exception raised inside trn2sim while it traced a kernel (a form it does not
    handle) becomes a KernelError at the kernel's innermost line; one raised by the kernel's
    own code goes on as it is."""
    tb, frames = e.__traceback__, []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    if not frames or not in_package(frames[-1].f_code.co_filename):
        raise e
    kernel = [f for f in frames if not in_package(f.f_code.co_filename)]
    where = frame_site(kernel[-1]) if kernel else "<unknown>:0"
    raise KernelError(f"{where}: {type(e).__name__}: {e} (a form trn2sim's front end does not handle)",
                      located=True) from e


def _outputs(tr, results):
    """The HBM tensors to hand back: what the kernel returned, else the inputs it wrote."""
    if results is None:
        written = [s for s in tr.tensors if s.written and not s.kernel_made]
        return [full_view(s) for s in written], len(written) == 1
    single = not isinstance(results, (tuple, list))
    results = [results] if single else list(results)
    for r in results:
        if not isinstance(r, Tensor) or r.storage.on_chip:
            raise KernelError(f"{tr.kernel_name} returns {type(r).__name__}: a kernel returns HBM tensors "
                              "(nl.ndarray(..., buffer=nl.shared_hbm))")
        if not r.storage.written:
            raise KernelError(f"{tr.kernel_name} returns HBM tensor '{r.storage.name}', which it never writes")
    return results, single


def simulate(kernel, *args, lnc=2, hardware=None, trace=None, report_html=None, compiler=None, hazards="fail",
             keep=None, **kwargs):
    """Run an NKI kernel on the trn2sim model.

    kernel: a function (or @nki.jit kernel, or kernel[grid]) written with trn2sim.nki.
    args, kwargs: numpy arrays become HBM tensors (float32, float16; bfloat16 through
    trn2sim.bf16 or ml_dtypes), anything else is passed to the kernel as it is.
    lnc: physical cores (1 or 2); program i of the grid runs on core i % lnc.
    hardware: overrides of configs/trn2.json; trace / report_html: files to write;
    compiler: overrides of trn2sim.DEFAULT_COMPILER; keep: a directory to keep the program,
    inputs and report in (default: a temporary one, removed).

    Returns (outputs, report): the kernel's returned HBM tensors as numpy arrays (bfloat16
    as float32; one array, or a tuple if the kernel returned several), and the report dict
    with a `front_end` block saying which compiler choices were applied."""
    tr, inputs, results = _trace_kernel(kernel, args, kwargs, lnc, hardware, compiler)
    outputs, single = _outputs(tr, results)
    program = tr.to_program(read_only=set(inputs))
    work = keep or tempfile.mkdtemp(prefix="trn2sim-")
    os.makedirs(work, exist_ok=True)
    try:
        with open(os.path.join(work, "program.json"), "w") as f:
            json.dump(program, f)
        cmd = [binary(), "run-program", os.path.join(work, "program.json"), "--hazards", hazards,
               "--report", os.path.join(work, "report.json"), "--log-level", "error"]
        for name, a in inputs.items():
            path = os.path.join(work, f"in_{name}.npy")
            np.save(path, _npy_payload(a))
            cmd += ["--input", f"{name}={path}"]
        for k, t in enumerate(outputs):
            cmd += ["--output", f"{t.storage.name}={os.path.join(work, f'out_{k}.npy')}"]
        if hardware:
            with open(os.path.join(work, "hardware.json"), "w") as f:
                json.dump(hardware, f)
            cmd += ["--hardware", os.path.join(work, "hardware.json")]
        if trace:
            cmd += ["--trace", os.path.abspath(trace)]
        if report_html:
            cmd += ["--report-html", os.path.abspath(report_html)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode == 2:
            raise KernelError(_located(_last_line(run.stderr)), located=True)
        if run.returncode != 0:
            raise RuntimeError(f"trn2sim exited with {run.returncode}: {_last_line(run.stderr)}")
        arrays = []
        for k, t in enumerate(outputs):
            a = np.load(os.path.join(work, f"out_{k}.npy"))
            arrays.append(_values(a, t.storage.dtype))
        with open(os.path.join(work, "report.json")) as f:
            report = json.load(f)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report["front_end"] = tr.front_end_report()
    return (arrays[0] if single and arrays else tuple(arrays)), report


def _located(message):
    """The simulator's message, led by the first kernel line it names (`... at file:line)`)."""
    m = re.search(r" at ([^\s()]+:\d+)\)", message)
    return f"{m.group(1)}: {message}" if m else message


def _last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1].replace("trn2sim: error: ", "") if lines else "(no message)"
