#!/usr/bin/env bash
# Installs what the build needs (Debian 12 packages) and builds trn2sim into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_packages.sh cmake g++ make pkg-config libsystemc-dev libspdlog-dev nlohmann-json3-dev libgtest-dev
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
