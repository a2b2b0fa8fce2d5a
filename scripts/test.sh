#!/usr/bin/env bash
# README command 2: installs everything the tests need (npm packages, Temporal CLI,
# fake-gcs-server, fakesnow, R + robynpy), type-checks, and runs every jest suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/ensure-node-deps.sh
bash scripts/setup-tools.sh
echo "[test] typecheck" >&2
npx tsc --noEmit -p .
echo "[test] jest" >&2
exec npx jest "$@"
