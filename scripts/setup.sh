#!/usr/bin/env bash
# Installs what the build and the Python front end need (Debian 12 packages) and builds trn2sim into build/,
# optimised from a profile (cmake/pgo.cmake): an instrumented build in build/pgo-train/ runs
# the configs of configs/ and one JSON program, and build/ is compiled from the counts. The
# training runs again when a source of the model is newer than the counts. TRN2SIM_PGO=off
# builds without a profile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_packages.sh cmake g++ make pkg-config libsystemc-dev libspdlog-dev nlohmann-json3-dev libgtest-dev \
  python3 python3-numpy python3-pytest
jobs=-j"$(nproc)"
pgo=${TRN2SIM_PGO:-use}
profile=$PWD/build/pgo-profile

stale_profile() {
  [ ! -f "$profile/trained" ] && return 0
  [ -n "$(find app isa kernels sim CMakeLists.txt cmake -newer "$profile/trained" -print -quit)" ]
}

train() {
  # Without link-time optimisation: the counts are taken per object before it.
  cmake -S . -B build/pgo-train -DCMAKE_BUILD_TYPE=Release -DTRN2SIM_LTO=OFF -DTRN2SIM_PGO=generate \
    -DTRN2SIM_PGO_DIR="$profile" >/dev/null &&
    cmake --build build/pgo-train "$jobs" --target trn2sim >/dev/null || return 1
  rm -rf "$profile"
  local binary=build/pgo-train/trn2sim cfg
  for cfg in configs/depthwise_*.json configs/matrix/*.json; do
    "$binary" "$cfg" --log-level error >/dev/null || return 1
  done
  # A program given as JSON takes its own paths (parsing, its inputs, its race check).
  "$binary" configs/depthwise_default.json --dump-program build/pgo-train/program.json --log-level error >/dev/null &&
    "$binary" run-program build/pgo-train/program.json --log-level error >/dev/null || return 1
  touch "$profile/trained"
}

if [ "$pgo" = use ] && stale_profile; then
  echo "setup: training build for profile-guided optimisation (build/pgo-train)"
  if ! train; then
    # The profile only makes the build faster: without one it is the same simulator.
    echo "setup: the training run failed; building without a profile" >&2
    rm -rf "$profile"
    pgo=off
  fi
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRN2SIM_PGO="$pgo" -DTRN2SIM_PGO_DIR="$profile" >/dev/null
cmake --build build "$jobs"
