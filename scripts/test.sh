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
echo "[test] lint (prettier, eslint)" >&2
npm run --silent lint
echo "[test] jest" >&2
mkdir -p .data/test
status=0
npx jest --json --outputFile=.data/test/jest-results.json "$@" || status=$?
# One plain closing line for CI: "N passed, N failed, N skipped".
node -e 'const r=require("./.data/test/jest-results.json");console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' || true
exit $status
