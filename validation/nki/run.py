"""Simulate every case of validation/nki/cases.json with trn2sim.simulate and print measured
against simulated.

    PYTHONPATH=python TRN2SIM_BINARY=build/trn2sim python3 validation/nki/run.py [--only NAME...] [--markdown]

body_us cases compare the simulated total_time_us with the kernel body read off a profile
timeline; ncl_us cases compare the simulated body plus the NCL launch overhead of
validation/cases.json (ncl_overhead_us, docs/validation.md) with nki.benchmark's latency.
Every case runs with the front end's default compiler choices unless its "compiler" block
says otherwise (none does today). Outputs are checked against numpy (a failed check is
reported, it does not stop the table). Nothing here is fitted to the measurements.
"""
import argparse
import importlib.util
import json
import os

import numpy as np

import trn2sim

HERE = os.path.dirname(os.path.abspath(__file__))


def load_kernel(file, name):
    path = os.path.join(HERE, file)
    spec = importlib.util.spec_from_file_location(os.path.splitext(file)[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def make_inputs(case, seed=42):
    """Uniform values in [-1, 1) (the public benchmarks' inputs), rounded to the dtype."""
    rng = np.random.default_rng(seed)
    arrays, passed = [], []
    for spec in case["inputs"]:
        a = ((rng.random(spec["shape"]) - 0.5) * 2).astype(np.float32)
        if spec["dtype"] == "bfloat16":
            passed.append(trn2sim.bf16(a))
            a = passed[-1].values()
        elif spec["dtype"] == "float32":
            passed.append(a)
        elif spec["dtype"] == "float16":
            a = a.astype(np.float16)
            passed.append(a)
            a = a.astype(np.float32)
        else:
            raise ValueError(f"{case['name']}: dtype {spec['dtype']} not handled here")
        arrays.append(a)
    return arrays, passed


def reference(kernel_name, arrays, kwargs):
    if kernel_name == "transpose_tiles":
        return arrays[0].T, 0.0
    if kernel_name == "conv2d_maxpool":
        assert kwargs.get("pool_size", 1) == 1
        X, W, b = (x.astype(np.float64) for x in arrays)
        kh, kw = W.shape[2:]
        ho, wo = X.shape[2] - kh + 1, X.shape[3] - kw + 1
        Y = np.zeros((X.shape[0], W.shape[0], ho, wo))
        for i in range(kh):
            for j in range(kw):
                Y += np.einsum("oc,nchw->nohw", W[:, :, i, j], X[:, :, i:i + ho, j:j + wo])
        Y += b[None, :, None, None]
        return Y, 1e-2 * float(np.max(np.abs(Y)))
    if kernel_name in ("attention_fused", "attention_baseline"):
        q, k, v = (x.astype(np.float64) for x in arrays)
        s = q.T @ k
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)) @ v.T, 1e-2
    raise ValueError(kernel_name)


def run_case(case, ncl_overhead):
    kernel = load_kernel(case["file"], case["kernel"])
    arrays, passed = make_inputs(case)
    kwargs = case.get("kwargs", {})
    out, report = trn2sim.simulate(kernel, *passed, lnc=case["lnc"], compiler=case.get("compiler") or None, **kwargs)
    want, tol = reference(case["kernel"], arrays, kwargs)
    err = float(np.max(np.abs(np.asarray(out, np.float64) - want)))
    numerics_ok = err <= tol if tol else err == 0.0
    body = float(report["total_time_us"])
    metric = case["measured"]["metric"]
    simulated = body + ncl_overhead if metric == "ncl_us" else body
    measured = float(case["measured"]["value"])
    row = {"name": case["name"], "metric": metric, "measured": measured, "simulated": simulated,
           "error_percent": 100.0 * (simulated - measured) / measured, "body_us": body,
           "middle_end": case["middle_end"], "numerics": f"max abs err {err:.2g}" + ("" if numerics_ok else " FAIL")}
    also = case.get("also_measured")
    if also and also["metric"] == "ncl_us":
        row["ncl_p50"] = float(also["p50"])
        row["ncl_simulated"] = body + ncl_overhead
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="case names to run")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args(argv)

    cases = json.load(open(os.path.join(HERE, "cases.json")))["cases"]
    ncl_overhead = float(json.load(open(os.path.join(HERE, "..", "cases.json")))["ncl_overhead_us"])
    if args.only:
        cases = [c for c in cases if c["name"] in args.only]
    rows = [run_case(c, ncl_overhead) for c in cases]

    unit = {"ncl_us": "ncl", "body_us": "body"}
    if args.markdown:
        print("| case | metric | measured | simulated | error | middle end | numerics |")
        print("|---|---|---:|---:|---:|---|---|")
        for r in rows:
            print(f"| {r['name']} | {r['metric']} | {r['measured']:.2f} us | {r['simulated']:.2f} us | "
                  f"{r['error_percent']:+.1f}% | {r['middle_end']} | {r['numerics']} |")
    else:
        print(f"{'case':44s} {'metric':6s} {'measured':>10s} {'simulated':>10s} {'error':>8s}  middle end  numerics")
        for r in rows:
            print(f"{r['name']:44s} {unit[r['metric']]:6s} {r['measured']:10.2f} {r['simulated']:10.2f} "
                  f"{r['error_percent']:+7.1f}%  {r['middle_end']:10s}  {r['numerics']}")
    print(f"(ncl rows: simulated body + {ncl_overhead} us, the NCL launch overhead of validation/cases.json)")
    for group in ("skipped", "rewritten"):
        g = [abs(r["error_percent"]) for r in rows if r["middle_end"] == group]
        if g:
            print(f"mean |error|, middle end {group}: {sum(g) / len(g):.1f}% over {len(g)} case(s)")

    cross = [r for r in rows if "ncl_p50" in r]
    if cross:
        print()
        print("the same runs against the benchmark's NCL p50 (body cases that also have one):")
        for r in cross:
            e = 100.0 * (r["ncl_simulated"] - r["ncl_p50"]) / r["ncl_p50"]
            print(f"  {r['name']:44s} ncl p50 {r['ncl_p50']:8.2f}  simulated {r['ncl_simulated']:8.2f}  {e:+7.1f}%"
                  f"   (measured ncl - measured body: {r['ncl_p50'] - r['measured']:.2f} us)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
