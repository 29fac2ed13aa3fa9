#!/usr/bin/env bash
# Simulates every case of validation/cases.json (public trn2 kernels with published
# measurements) and rewrites the table of docs/validation.md. Review `git diff docs/validation.md`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build/trn2sim_validate --all docs/validation.md
git diff --stat -- docs/validation.md
