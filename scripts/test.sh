#!/usr/bin/env bash
# Quick start 2: set up, build, and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build && ctest --output-on-failure -j"$(nproc)"
