"""The front end's compiler decisions and the forms it refuses, pinned: each case once gave a
silently wrong number or a crash (a review of the front end found them)."""
import numpy as np
import pytest

import trn2sim
from trn2sim import KernelError, nki

nl, nisa = nki.language, nki.isa
f32 = np.float32


def hbm(shape, dtype=nl.float32):
    return nl.ndarray(shape, dtype, buffer=nl.shared_hbm)


@pytest.fixture
def x():
    return np.random.default_rng(3).standard_normal((128, 64), dtype=f32)


def run(kernel, *args, **kwargs):
    out, report = trn2sim.simulate(kernel, *args, lnc=kwargs.pop("lnc", 1), **kwargs)
    return out, report


def bf16(a):
    return trn2sim._floats.from_bf16_bits(trn2sim._floats.to_bf16_bits(a))


def test_assignment_keeps_dtype_views_and_later_uses(x):
    def kernel(x):
        outs = [hbm((128, 64)) for _ in range(3)]
        u = nl.ndarray((128, 64), nl.float32, buffer=nl.sbuf)
        u[...] = nl.load(x, dtype=nl.bfloat16)           # a bf16 result into fp32: rounded, then widened
        nl.store(outs[0], value=u)
        v = nl.ndarray((128, 64), nl.float32, buffer=nl.sbuf)
        t = nl.load(x)
        v[...] = t                                      # t is used again below: a copy, not a retarget
        nl.store(outs[1], value=nl.add(t, v))
        w = nl.ndarray((128, 64), nl.float32, buffer=nl.sbuf)
        w[...] = nl.load(x)[:, ::-1]                     # a view of a result: its order kept
        nl.store(outs[2], value=w)
        return tuple(outs)

    (a, b, c), _ = run(kernel, x)
    assert np.array_equal(a, bf16(x))
    assert np.array_equal(b, x + x)
    assert np.array_equal(c, x[:, ::-1])


def test_assigned_product_overwrites_each_iteration():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 128, 128), dtype=f32)
    b = rng.standard_normal((3, 128, 64), dtype=f32)

    def kernel(a, b):
        out = hbm((3, 128, 64))
        ps = nl.ndarray((128, 64), nl.float32, buffer=nl.psum)
        for i in nl.affine_range(3):
            ps[...] = nisa.nc_matmul(nl.load(a[i]), nl.load(b[i]))   # `=`: overwrite, never accumulate
            nl.store(out[i], value=nl.copy(ps))
        return out

    out, _ = run(kernel, a, b)
    for i in range(3):
        np.testing.assert_allclose(out[i], a[i].T.astype(np.float64) @ b[i], rtol=1e-4, atol=1e-3)


def test_a_deferred_product_reads_its_operands_as_they_were(x):
    def kernel(x):
        out = hbm((64, 64))
        ta, tb = nl.load(x), nl.load(x)
        product = nisa.nc_matmul(ta, tb)     # earlier API: placed before the next instruction
        nisa.memset(dst=tb, value=0.0)
        nl.store(out, value=nl.copy(product))
        return out

    out, _ = run(kernel, x)
    np.testing.assert_allclose(out, x.T.astype(np.float64) @ x, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("form, message", [
    (lambda t, x: nl.load(x[nl.arange(128)[:, None], 0:32]), "nl.arange indices and slices cannot be mixed"),
    (lambda t, x: nl.copy(t[nl.arange(32)[None, :], nl.arange(16)[:, None]]), "the partition axis cannot move"),
    (lambda t, x: nl.copy(t[64:128, :].ap(pattern=[[64, 64], [1, 32]])), "takes the whole tensor, not an indexed view"),
    (lambda t, x: nl.copy(t.ap(pattern=[[64, 2], [1, 100]])), "beyond it"),
    (lambda t, x: nisa.activation(op=nl.copy, data=t, reduce_res=nl.ndarray((128, 1), nl.float32),
                                  reduce_cmd=nisa.reduce_cmd.reduce), "trn2sim models reset_reduce only"),
    (lambda t, x: nisa.tensor_reduce(nl.ndarray((128, 1), nl.float32), nl.max, t, 1, True, False, 7),
     "unexpected positional arguments"),
    (lambda t, x: nl.ndarray((2, nl.par_dim(128), 64), nl.float32), "nl.par_dim marks the first"),
    (lambda t, x: nl.load(x[nl.arange(128)[:, None] < 100, 0]), "masks"),
    (lambda t, x: t[1.5, :], "is not an integer"),
    (lambda t, x: nisa.memset(dst=t, value=t), "must be a number"),
])
def test_refused_forms_name_the_line(x, form, message):
    def kernel(x):
        t = nl.load(x)
        form(t, x)

    with pytest.raises(KernelError, match=message) as e:
        run(kernel, x)
    assert "test_compiler_rules.py:" in str(e.value)


def test_ap_with_a_dtype_reinterprets_a_partitions_bytes(x):
    def kernel(x):
        out = hbm((64, 128), nl.bfloat16)
        t = nl.load(x)
        nisa.dma_copy(dst=out, src=t.ap(pattern=[[128, 64], [1, 128]], dtype=nl.bfloat16))  # fp32 rows as bf16 halves
        return out

    out, _ = run(kernel, x)
    bits = x[:64].view(np.uint16).reshape(64, 128)
    np.testing.assert_array_equal(out.view(np.uint32), trn2sim._floats.from_bf16_bits(bits).view(np.uint32))


def test_mixed_precision_inputs_promote_to_fp32(x):
    def kernel(a, b):
        out = hbm((128, 64))
        nl.store(out, value=nl.add(nl.load(a), nl.load(b)))
        return out

    out, _ = run(kernel, trn2sim.bf16(x), x)
    assert np.array_equal(out, bf16(x) + x)  # fp32 sum, not rounded to bf16


def test_a_two_dimensional_grid_and_private_scratch():
    rows = np.arange(6 * 128 * 4, dtype=f32).reshape(6 * 128, 4)

    def kernel(x):
        out = hbm(x.shape)
        i, j = nl.program_id(0), nl.program_id(1)
        assert nl.num_programs() == 6 and nl.num_programs(0) == 3 and nl.num_programs((0, 1)) == 6
        block = (i * nl.num_programs(1) + j) * 128
        scratch = nl.ndarray((128, 4), nl.float32, buffer=nl.private_hbm)   # each program its own
        nl.store(scratch, value=nl.load(x[block:block + 128, :]))
        nl.store(out[block:block + 128, :], value=nl.add(nl.load(scratch), 1.0))
        return out

    out, report = trn2sim.simulate(nki.jit(kernel)[3, 2], rows, lnc=2)
    assert np.array_equal(out, rows + 1)
    assert report["front_end"]["grid"] == [3, 2]


def test_pools_share_what_is_left_instead_of_the_first_taking_all():
    # A loop's PSUM tile wants 8 banks; a later declaration needs one: the loop gets 7.
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((8, 128, 128), dtype=f32), rng.standard_normal((128, 128), dtype=f32)

    def kernel(a, b):
        out = hbm((9, 128, 128))
        tb = nl.load(b)
        for i in nl.affine_range(8):
            ps = nl.ndarray((128, 128), nl.float32, buffer=nl.psum)
            nisa.nc_matmul(dst=ps, stationary=nl.load(a[i]), moving=tb)
            nl.store(out[i], value=nl.copy(ps))
        last = nl.ndarray((128, 512), nl.float32, buffer=nl.psum)
        nisa.nc_matmul(dst=last[:, 0:128], stationary=tb, moving=tb)
        nl.store(out[8], value=nl.copy(last[:, 0:128]))
        return out

    out, report = run(kernel, a, b)
    loop = [p for p in report["front_end"]["buffers"] if p["space"] == "psum" and p["allocations"] == 8][0]
    assert loop["buffers"] == 7 and "7 of 8 fit PSUM" in loop["rule"]
    np.testing.assert_allclose(out[8], b.T.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_an_exception_inside_the_front_end_names_the_kernel_line(x, monkeypatch):
    # Any form the front end does not handle surfaces as a KernelError at the kernel's line,
    # not a traceback into trn2sim (simulated here by breaking an internal helper).
    import functools
    import operator

    from trn2sim import _trace
    monkeypatch.setattr(_trace, "box", functools.partial(operator.getitem, None))  # None[t]: a TypeError

    def kernel(x):
        nl.load(x)  # broken

    with pytest.raises(KernelError, match=r"test_compiler_rules\.py:\d+: TypeError: .* \(a form trn2sim's front end"):
        run(kernel, x)
