#!/usr/bin/env bash
# Two builds of trn2sim, the same numbers and cycles? For every config in configs/ and
# configs/matrix/: the JSON report (less its "simulator" block, the host's timings), the
# HTML report and the kernel's output .npy must be byte-identical. A change made for speed
# must pass; one that moves numbers or cycles on purpose names the configs that moved.
# With a third argument, also counts both builds' host instructions on that config under
# callgrind: deterministic, unlike wall time on a shared machine (bench/ for wall time).
#
#   bash scripts/compare_builds.sh OLD/trn2sim NEW/trn2sim [CONFIG.json]
#
# Needs python3 (to drop the simulator block) and, for the count, valgrind.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY [CONFIG_TO_COUNT.json]" >&2
  exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
count_config=${3:-}
command -v python3 >/dev/null || { echo "compare_builds: python3 is needed" >&2; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # binary tag config
  local out="$work/$2"
  "$1" "$3" --report "$out.json" --report-html "$out.html" --output-npy "$out.npy" >/dev/null 2>&1 || true
  if [ -f "$out.json" ]; then  # a run that failed wrote none: cmp below reports it
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); r.pop("simulator", None)
json.dump(r, open(sys.argv[1], "w"), sort_keys=True)' "$out.json"
  fi
}

differ=0
for config in configs/*.json configs/matrix/*.json; do
  [ "$config" = configs/trn2.json ] && continue  # the hardware file, not a run config
  name=$(basename "$config" .json)
  run "$old" "$name.old" "$config"
  run "$new" "$name.new" "$config"
  moved=""
  for ext in json html npy; do
    cmp -s "$work/$name.old.$ext" "$work/$name.new.$ext" || moved="$moved $ext"
  done
  if [ -z "$moved" ]; then echo "same     $name"; else echo "DIFFERS  $name:$moved"; differ=1; fi
done

if [ -n "$count_config" ]; then
  command -v valgrind >/dev/null || { echo "compare_builds: valgrind is needed to count" >&2; exit 2; }
  for b in old new; do
    bin=$old; [ $b = new ] && bin=$new
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$b" "$bin" "$count_config" \
      >/dev/null 2>"$work/callgrind.$b.log" || true
    echo "host instructions, $b: $(grep -o 'Collected : [0-9]*' "$work/callgrind.$b.log" | grep -o '[0-9]*')"
  done
fi
exit $differ
