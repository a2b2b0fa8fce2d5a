#!/usr/bin/env bash
# README command 1: installs what is missing, then brings up the embedded stack (Temporal dev
# server + Web UI, worker, DuckDB) and runs NightlyPipeline once on generated demo data.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/ensure-node-deps.sh"
bash "$root/scripts/setup-tools.sh" temporal
exec node "$root/bin/dag" quickstart "$@"
