#!/usr/bin/env bash
# Rewrites tests/goldens/*.json from the current model. Review `git diff tests/goldens`
# and say in the commit why every changed figure moved.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build && TRN2SIM_UPDATE_GOLDENS=1 ctest -R KernelGolden -j"$(nproc)"
git -C .. diff --stat -- tests/goldens
