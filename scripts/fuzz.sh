#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (-fsanitize=fuzzer,address,undefined) into
# build-fuzz/ and runs each from its seed corpus (fuzz/corpus/<target>) for a bounded number of
# runs. Exits non-zero on a finding: a crash, a sanitizer report, an exception other than the
# loaders' own errors, a timeout or an out-of-memory; the input is written to
# build-fuzz/artifacts/ (reproduce: build-fuzz/fuzz/fuzz_config build-fuzz/artifacts/crash-...).
#   FUZZ_RUNS (default 50000) runs per target, FUZZ_MAX_TIME (default 60) seconds at most per
#   target, FUZZ_SEED (default 1, so that CI is repeatable; 0 picks a random seed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_packages.sh clang-14 libclang-rt-14-dev g++ cmake make pkg-config libsystemc-dev libspdlog-dev nlohmann-json3-dev libgtest-dev
CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DTRN2SIM_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_config fuzz_program fuzz_npy fuzz_cli

runs=${FUZZ_RUNS:-50000}
max_time=${FUZZ_MAX_TIME:-60}
seed=${FUZZ_SEED:-1}
mkdir -p build-fuzz/artifacts
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
targets=(config program npy cli)
for target in "${targets[@]}"; do
  work=build-fuzz/corpus/$target  # new inputs go here; fuzz/corpus/ stays as committed
  mkdir -p "$work"
  echo "== fuzz_$target: $runs runs (at most ${max_time} s), seed $seed"
  if ! build-fuzz/fuzz/fuzz_$target -runs="$runs" -max_total_time="$max_time" -seed="$seed" \
      -dict=fuzz/trn2sim.dict -max_len=65536 -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -artifact_prefix=build-fuzz/artifacts/fuzz_$target- -print_final_stats=1 \
      "$work" fuzz/corpus/$target 2>build-fuzz/fuzz_$target.log; then
    grep -v '^#' build-fuzz/fuzz_$target.log | tail -60
    echo "fuzz_$target: FINDING (log: build-fuzz/fuzz_$target.log, input: build-fuzz/artifacts/)"
    failed=$((failed + 1))
  else
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' build-fuzz/fuzz_$target.log
  fi
done
# The plain closing line CI reads: one per target.
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
((failed == 0))
