"""Bad kernels get one-line errors that name the kernel's source line, the call and the limit."""
import re

import numpy as np
import pytest

from trn2sim import KernelError, bf16, nki, simulate

nl, nisa = nki.language, nki.isa


def at(marker, rest):
    """The pattern of an error at the line carrying `# marker`: `...test_errors.py:N: rest`."""
    return rf"^(.*/)?test_errors\.py:{line_of(marker)}: {rest}"


def line_of(marker):
    """The line number of the line of this file that carries `# marker`."""
    with open(__file__) as f:
        for n, text in enumerate(f, 1):
            if text.rstrip().endswith(f"# {marker}"):
                return n
    raise AssertionError(marker)


def error_of(kernel, *args, **kwargs):
    with pytest.raises(KernelError) as e:
        simulate(kernel, *args, lnc=1, **kwargs)
    message = str(e.value)
    assert "\n" not in message
    return message


def ones(*shape):
    return np.ones(shape, dtype=np.float32)


def test_partitions_beyond_128_name_the_line_and_the_limit():
    def kernel(a):
        t = nl.ndarray((256, 64), nl.float32, buffer=nl.sbuf)  # too_tall
        nisa.dma_copy(dst=t, src=a)

    m = error_of(kernel, ones(256, 64))
    assert re.match(at("too_tall", "nl.ndarray: partition dimension 256 exceeds 128"), m), m


def test_shape_mismatch_between_operands():
    def kernel(a, b):
        x = nl.load(a)
        y = nl.load(b)
        nl.add(x, y)  # mismatch

    m = error_of(kernel, ones(128, 64), ones(128, 32))
    assert re.match(at("mismatch", r"nisa.tensor_tensor: data1 shape \(128, 64\) and data2 shape \(128, 32\) differ"), m), m


def test_dma_shape_mismatch():
    def kernel(a):
        t = nl.ndarray((128, 32), nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)  # dma

    m = error_of(kernel, ones(128, 64))
    assert re.match(at("dma", r"nisa.dma_copy: dst shape \(128, 32\) and src shape \(128, 64\) differ"), m), m


def test_psum_overflow_names_the_banks():
    def kernel(a):
        nl.ndarray((128, 4096), nl.float32, buffer=nl.psum)  # all eight banks
        nl.ndarray((128, 512), nl.float32, buffer=nl.psum)  # psum

    m = error_of(kernel, ones(128, 8))
    assert re.match(at("psum", r"nl.ndarray: PSUM overflow: a \(128, 512\) float32 tile needs 2048 bytes per "
                           r"partition, but 16384 of 16384 are taken"), m), m


def test_sbuf_overflow_names_the_bytes():
    def kernel(a):
        big = nl.ndarray((128, 50000), nl.float32, buffer=nl.sbuf)
        more = nl.ndarray((128, 8000), nl.float32, buffer=nl.sbuf)  # sbuf
        return big, more

    m = error_of(kernel, ones(128, 8))
    assert re.match(at("sbuf", r"nl.ndarray: SBUF overflow: a \(128, 8000\) float32 tile needs 32000 bytes per "
                           r"partition, but 200000 of \d+ are taken"), m), m


def test_unsupported_input_dtype():
    def kernel(a):
        pass

    with pytest.raises(KernelError, match="dtype int64 is not in trn2sim.s ISA"):
        simulate(kernel, np.ones((4, 4), dtype=np.int64), lnc=1)


def test_matmul_contraction_mismatch():
    def kernel(a, b):
        x = nl.load(a)
        y = nl.load(b)
        nisa.nc_matmul(x, y)  # contraction

    m = error_of(kernel, ones(128, 64), ones(64, 64))
    assert re.match(at("contraction", r"nisa.nc_matmul: stationary \(128, 64\) and moving \(64, 64\) must share "
                                  "the partition"), m), m


def test_a_tile_used_after_its_buffer_rotated_is_an_error_not_a_wrong_number():
    # The sizing pass gives a declaration the buffers its live tiles need; an explicit
    # buffers=1 overrides that, and the tile kept past its rotation is caught.
    def kernel(a):
        kept = []
        for i in nl.affine_range(100):
            t = nl.ndarray((128, 1), nl.float32, buffer=nl.sbuf, buffers=1)
            nisa.dma_copy(dst=t, src=a[0:128, i:i + 1])
            kept.append(t)
        out = nl.ndarray((128, 1), nl.float32, buffer=nl.shared_hbm)
        nl.store(out, value=kept[0])  # stale
        return out

    m = error_of(kernel, ones(128, 100))
    assert re.match(at("stale", r"nl.store: value \(the tile declared at (.*/)?test_errors.py:\d+\) was overwritten"), m), m
    assert "1 rotating buffer(s): buffers=1 at the declaration" in m and "buffers=N" in m


def test_index_out_of_bounds():
    def kernel(a):
        nl.load(a[0:128, 60:70])  # bounds

    m = error_of(kernel, ones(128, 64))
    assert re.match(at("bounds", "indexing a hbm tensor: slice 60:70 is out of bounds for an axis of 64"), m), m


def test_errors_found_by_the_simulator_carry_the_source_line():
    # A compute engine keeps data in its partitions: src at partition 0, dst at 64. Only the
    # simulator's validation checks this; its message names the Python line.
    def kernel(a):
        t = nl.load(a)
        u = nl.ndarray((128, 64), nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=u[64:128, :], src=t[0:64, :])  # partitions

    m = error_of(kernel, ones(128, 64))
    assert re.match(at("partitions", r"core 0 instruction 1 \(tensor_copy at (.*/)?test_errors\.py:\d+\): compute "
                                 r"engines keep data in its partitions \(src starts at 0, dst at 64\)"), m), m


def test_unknown_compiler_option():
    with pytest.raises(KernelError, match="compiler option 'buffer' is unknown"):
        simulate(lambda a: None, ones(4, 4), lnc=1, compiler={"buffer": 2})


def test_dtype_mismatch_of_matmul_operands():
    def kernel(a, b):
        x = nl.load(a)
        y = nl.load(b)
        p = nl.ndarray((64, 64), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=p, stationary=x, moving=y)  # mixed

    m = error_of(kernel, ones(128, 64), bf16(ones(128, 64)))
    assert re.match(at("mixed", "nisa.nc_matmul: stationary float32 and moving bfloat16: the PE does not mix fp32 "
                                "with a narrower dtype"), m), m


def test_dtype_mismatch_of_a_transpose():
    def kernel(a):
        x = nl.load(a)
        p = nl.ndarray((64, 128), nl.bfloat16, buffer=nl.psum)
        nisa.nc_transpose(dst=p, data=x)  # transpose

    m = error_of(kernel, ones(128, 64))
    assert re.match(at("transpose", "nisa.nc_transpose: dst is a bfloat16 psum tile; the PE transposes float32 into "
                                    r"PSUM without converting \(dst must be float32 PSUM\)"), m), m
