#!/usr/bin/env bash
# Benchmarks (not timed tests): writes bench/RESULTS.md. `npm run bench -- --quick` for small sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/ensure-node-deps.sh"
bash "$root/scripts/setup-tools.sh" temporal
cd "$root"
exec node --require tsx/cjs bench/run-all.ts "$@"
