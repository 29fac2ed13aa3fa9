#!/usr/bin/env bash
# Installs what the build needs (Debian 12 packages) and builds trn2sim into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
need=(cmake g++ make pkg-config libsystemc-dev libspdlog-dev nlohmann-json3-dev libgtest-dev)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
