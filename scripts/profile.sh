#!/usr/bin/env bash
# Where a run's host time goes, by part of the simulator: counts the host instructions of
# one run under callgrind (deterministic, unlike wall time on a shared machine) and sums each
# function's own count into the part it belongs to (the race check, validation, the kernel
# builder, the datapath, the DMA model, SystemC, ...). Prints a Markdown table with each
# part's millions of host instructions, its share and its host instructions per simulated
# instruction. Extra arguments go to trn2sim (e.g. --hazards off).
#
#   bash scripts/profile.sh BINARY CONFIG.json [trn2sim options...]
#
# Needs valgrind and python3. A Release build has no line tables: a function inlined into
# another counts as its caller (with link-time optimisation most small helpers are), so
# the parts are those of the functions the compiler kept. About 6 s for a run of 70k
# instructions ([1,1024,1,4096] S=4093 bf16). Valgrind has no AVX-512: the AVX2 builds of
# the vectorised loops run under it.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 BINARY CONFIG.json [trn2sim options...]" >&2
  exit 2
fi
binary=$(realpath "$1")
config=$2
shift 2
for tool in valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "profile: $tool is needed (apt-get install valgrind python3)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$binary" "$config" --report "$work/report.json" \
  "$@" >/dev/null 2>"$work/valgrind.log" || { tail -5 "$work/valgrind.log" >&2; exit 1; }
callgrind_annotate --threshold=100 "$work/callgrind.out" >"$work/annotated.txt"
python3 - "$work/annotated.txt" "$work/report.json" <<'EOF'
import json, re, sys

# First match wins: a function's own host instructions go to the first part whose pattern
# its "file:function [object]" line matches.
PARTS = [
    ("race check", r"HazardChecker|StreamOrder|isa/hazards|isa/stream_order|isa/footprint"),
    ("validation", r"isa/validate|validate_instruction|validate_header|\bChecker::"),
    ("kernel builder", r"ProgramBuilder"),
    ("kernel emitter", r"Conv1dEmitter|emit_depthwise_conv1d"),
    ("reference", r"reference_row|depthwise_conv1d_reference"),
    ("seeded inputs", r"seeded_"),
    ("matmul multiply-adds", r"\bmac_"),
    ("datapath (moves, conversions)", r"sim::execute|sim/datapath|load_row|store_row|rows_of|scratch_row|"
                                      r"isa/dtype|load_elements|store_elements|load_bf16|store_bf16|CoreMemory|elementwise"),
    ("DMA model", r"DmaArbiter|DmaQueue|DmaEngine|Hbm::|dma_shape"),
    ("scoreboard and window", r"Scoreboard|InstructionFeeder|RingQueue"),
    ("engines", r"ComputeEngine|TensorEngine|VectorEngine|ScalarEngine|GpSimdEngine|cost_cycles"),
    ("SystemC", r"libsystemc|sc_core::|sc_cor|_qt_"),
    ("trace and report", r"Trace::|trace_|report|nlohmann|html"),
    ("allocation", r"malloc|_int_free|\bfree\b|operator new|operator delete|cfree"),
    ("memcpy / memset", r"memmove|memcpy|memset"),
    ("start-up (dynamic linking)", r"ld-linux|/elf/|_dl_"),
]
rules = [(name, re.compile(pattern)) for name, pattern in PARTS]
line = re.compile(r"^\s*([\d,]+) \([ \d.]+%\)\s+(.*)$")
total, sums, unmatched = 0, {name: 0 for name, _ in PARTS}, {}
with open(sys.argv[1]) as f:
    in_listing = False
    for text in f:
        if "file:function" in text:
            in_listing = True
            continue
        if in_listing and text.startswith("-- Auto-annotated"):
            break
        m = line.match(text)
        if not m:
            continue
        count, where = int(m.group(1).replace(",", "")), m.group(2)
        if "PROGRAM TOTALS" in where:
            total = count
            continue
        if not in_listing:
            continue
        part = next((name for name, rx in rules if rx.search(where)), None)
        if part is None:
            unmatched[where] = unmatched.get(where, 0) + count
        else:
            sums[part] += count
sums["other"] = sum(unmatched.values())
simulated = json.load(open(sys.argv[2]))["simulator"]["instructions"]
print(f"{total / 1e6:.1f} M host instructions for {simulated} simulated instructions "
      f"({total / max(simulated, 1):.0f} per simulated instruction)\n")
print("| part | M host instructions | share | per simulated instruction |")
print("|---|---:|---:|---:|")
for name, count in sorted(sums.items(), key=lambda kv: -kv[1]):
    if count:
        print(f"| {name} | {count / 1e6:.1f} | {100 * count / total:.1f}% | {count / max(simulated, 1):.0f} |")
if unmatched:
    print("\nlargest of \"other\":")
    for where, count in sorted(unmatched.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {count / 1e6:8.2f} M  {where[:150]}")
EOF
