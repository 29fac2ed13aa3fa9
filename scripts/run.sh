#!/usr/bin/env bash
# Quick start 1: set up, build, and simulate the default config.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./build/trn2sim configs/depthwise_default.json --report build/report.json
