#!/usr/bin/env bash
# Quick start 2: set up, build, and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The HTML report test opens the page in a real browser.
bash scripts/install_packages.sh chromium
cd build && ctest --output-on-failure -j"$(nproc)"
