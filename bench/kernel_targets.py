#!/usr/bin/env python3
"""Issue 16's performance targets for depthwise_conv1d_vector, on the model (simulated time,
not host time, so the figures are exact and the same on every machine):

  at configs/depthwise_default.json ([1,384,1,2051] S=4 fp32, LNC=2)
    - at least 10x faster than the implicit-GEMM kernel (nkilib's stream), and
    - within 1.3x of the model's HBM roofline (compulsory traffic at the stack's peak).

Prints both kernels' time, the speedup and the roofline ratio with each target, and exits 1
if a target is missed. The table over the whole public matrix is docs/depthwise-variants.md
(scripts/variant_table.py).

    python3 bench/kernel_targets.py [BINARY]   # default build/trn2sim
"""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from variant_table import roofline_us, run  # noqa: E402

MIN_SPEEDUP = 10.0
MAX_ROOFLINE_RATIO = 1.3


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "trn2sim")
    config = os.path.join(ROOT, "configs", "depthwise_default.json")
    with tempfile.TemporaryDirectory() as work:
        gemm, error = run(binary, config, "nkilib", work)
        if gemm is None:
            sys.exit("implicit GEMM kernel failed: " + error)
        vector, error = run(binary, config, "vector", work)
        if vector is None:
            sys.exit("vector kernel failed: " + error)
    bound = roofline_us(vector)
    speedup = gemm["total_time_us"] / vector["total_time_us"]
    ratio = vector["total_time_us"] / bound
    print("implicit GEMM (nkilib)  %10.1f us" % gemm["total_time_us"])
    print("vector                  %10.1f us" % vector["total_time_us"])
    print("HBM roofline            %10.1f us" % bound)
    ok_speedup, ok_ratio = speedup >= MIN_SPEEDUP, ratio <= MAX_ROOFLINE_RATIO
    print("speedup                 %10.1fx   target >= %.0fx   %s" % (speedup, MIN_SPEEDUP, "met" if ok_speedup else "MISSED"))
    print("x roofline              %10.2fx   target <= %.1fx   %s" % (ratio, MAX_ROOFLINE_RATIO, "met" if ok_ratio else "MISSED"))
    sys.exit(0 if ok_speedup and ok_ratio else 1)


if __name__ == "__main__":
    main()
