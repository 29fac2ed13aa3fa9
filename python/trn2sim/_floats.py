"""numpy conversions for the dtypes numpy lacks: bfloat16 and trn2's two fp8 formats, to and
from the raw bits the simulator's .npy files hold (round to nearest even, as the model)."""
import numpy as np

# fp8 formats: exponent bits, mantissa bits, and the codes of +inf and the quiet NaN (IEEE-style,
# as ml_dtypes' float8_e4m3 / float8_e5m2; docs/timing-model.md).
FP8 = {"float8_e4m3": (4, 3, 0x78, 0x7C), "float8_e5m2": (5, 2, 0x7C, 0x7E)}


def to_bf16_bits(a):
    a = np.asarray(a, dtype=np.float32)
    u = np.ascontiguousarray(a).view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    return np.where(np.isnan(a), np.uint16(0x7FC0), rounded)


def from_bf16_bits(bits):
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)


def fp8_values(name):
    """The value of each of the 256 codes (float64; NaN codes NaN)."""
    e_bits, m_bits, inf, _ = FP8[name]
    bias = (1 << (e_bits - 1)) - 1
    codes = np.arange(256)
    sign = np.where(codes & 0x80, -1.0, 1.0)
    exp, mant = (codes >> m_bits) & ((1 << e_bits) - 1), codes & ((1 << m_bits) - 1)
    normal = (1 + mant / (1 << m_bits)) * np.exp2(exp - bias)
    subnormal = mant / (1 << m_bits) * np.exp2(1 - bias)
    values = sign * np.where(exp == 0, subnormal, normal)
    top = exp == (1 << e_bits) - 1
    return np.where(top & (mant == 0), sign * np.inf, np.where(top, np.nan, values))


def to_fp8_bits(a, name):
    """Rounded to nearest even; past the largest finite value (by half a step or more) infinity."""
    e_bits, m_bits, inf, nan = FP8[name]
    a = np.asarray(a, dtype=np.float32).astype(np.float64)
    values = fp8_values(name)[:inf + 1]                       # +0 .. largest finite, +inf
    values[inf] = 2 * values[inf - 1 - ((1 << m_bits) - 1)]   # +inf stands one binade past the top
    m = np.abs(a)
    hi = np.clip(np.searchsorted(values, m), 1, inf)
    lo = hi - 1
    d_lo, d_hi = m - values[lo], values[hi] - m
    pick = np.where((d_hi < d_lo) | ((d_hi == d_lo) & (hi % 2 == 0)), hi, lo)
    pick = np.where(m >= values[inf], inf, pick)
    bits = (pick | np.where(np.signbit(a), 0x80, 0)).astype(np.uint8)
    return np.where(np.isnan(a), np.uint8(nan), bits)


def from_fp8_bits(bits, name):
    return fp8_values(name)[np.asarray(bits, dtype=np.uint8)].astype(np.float32)
