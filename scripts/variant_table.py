#!/usr/bin/env python3
"""Runs every config of configs/matrix/ in each depthwise conv1d variant (and the vector kernel) and writes the table of
docs/depthwise-variants.md (between its <!-- variant-table --> markers): per variant and shape,
instructions per opcode (both cores), the simulated time, the HBM bytes moved, and the time
over the kernel's HBM roofline (its compulsory traffic, input + filter + output once, at the
stack's bandwidth).

    python3 scripts/variant_table.py [BINARY]   # default build/trn2sim
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VARIANTS = ["nkilib", "filter_once", "q_tiled", "vector"]  # vector: the kernel depthwise_conv1d_vector
OPCODES = ["dma_copy", "memset", "nc_transpose", "tensor_copy", "nc_matmul", "activation", "scalar_tensor_tensor",
           "tensor_scalar", "tensor_tensor"]
SIZE = {"float32": 4, "bfloat16": 2, "float16": 2}


def run(binary, config, variant, work):
    cfg = json.load(open(config))
    if variant == "vector":
        cfg["kernel"]["name"] = "depthwise_conv1d_vector"
    else:
        cfg["kernel"]["variant"] = variant
    path = os.path.join(work, "config.json")
    report = os.path.join(work, "report.json")
    json.dump(cfg, open(path, "w"))
    done = subprocess.run([binary, path, "--report", report, "--log-level", "error"], capture_output=True, text=True)
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "exit %d" % done.returncode
    return json.load(open(report)), None


def roofline_us(r):
    """The kernel's HBM roofline from its report: compulsory traffic (input, filter and output
    once) at the stack's peak bandwidth."""
    s = r["shape"]
    es, fs = SIZE[s["dtype"]], SIZE[s["filter_dtype"]]
    compulsory = s["batch"] * s["channels"] * (s["width"] + s["out_width"]) * es + s["channels"] * s["kernel_size"] * fs
    return compulsory / r["hbm_peak_gbps"] / 1e3


def row(name, variant, r, error):
    if r is None:
        return "| %s | %s | %s |" % (name, variant, error.replace("|", "/")) + " |" * (len(OPCODES) + 2)
    counts = dict.fromkeys(OPCODES, 0)
    for core in r["cores"]:
        counts["dma_copy"] += core["dma_transfer_count"]
        for engine in core["engines"].values():
            for op, n in engine["instruction_count_by_opcode"].items():
                counts[op] += n
    bound_us = roofline_us(r)
    moved = r["hbm_read_bytes"] + r["hbm_write_bytes"]
    cells = [name, variant] + ["{:,}".format(counts[op]) for op in OPCODES]
    cells += ["{:,.1f}".format(r["total_time_us"]), "{:,.2f}".format(moved / 1e6),
              "{:,.1f}".format(r["total_time_us"] / bound_us)]
    return "| " + " | ".join(cells) + " |"


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "trn2sim")
    lines = ["| shape | variant | " + " | ".join(OPCODES) + " | time us | HBM MB moved | x roofline |",
             "|---|---|" + "---:|" * (len(OPCODES) + 3)]
    with tempfile.TemporaryDirectory() as work:
        for config in sorted(glob.glob(os.path.join(ROOT, "configs", "matrix", "*.json"))):
            name = os.path.basename(config)[:-5]
            for variant in VARIANTS:
                r, error = run(binary, config, variant, work)
                lines.append(row(name, variant, r, error))
                print(lines[-1], flush=True)
    doc = os.path.join(ROOT, "docs", "depthwise-variants.md")
    text = open(doc).read()
    begin, end = "<!-- variant-table -->", "<!-- /variant-table -->"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    open(doc, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)


if __name__ == "__main__":
    main()
