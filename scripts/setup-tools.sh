#!/usr/bin/env bash
# Installs the non-npm tools the project needs into project-local folders, idempotently:
#   .tools/bin/temporal          Temporal CLI (dev server + UI), built from source with Go
#   .tools/bin/fake-gcs-server   GCS emulator for the object-store contract tests
#   .venv/                       Python venv with fakesnow[server] (Snowflake emulator)
#   .venv-robyn/ (optional)      robynpy + R/glmnet from Debian, for the real Robyn runner
#   /usr/bin/chromium            Debian's chromium, driven by playwright-core in the console's browser tests
# Usage: scripts/setup-tools.sh [temporal] [gcs] [fakesnow] [robyn] [chromium]   (no args = all)
# Prebuilt binaries cannot be downloaded on the build machines, so everything is built from
# the Go module proxy / PyPI / Debian. Each step is skipped when its result already exists.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/bin"
mkdir -p "$tools"
want="${*:-temporal gcs fakesnow robyn chromium}"
has() { [[ " $want " == *" $1 "* ]]; }

# apt-get, waiting for the dpkg lock: other sessions on the machine may be installing too.
# `-o DPkg::Lock::Timeout` makes apt itself wait for the lock; the loop also rides out the
# moments between another session's update and install, when the lists lock is briefly taken.
apt_patiently() {
  export DEBIAN_FRONTEND=noninteractive
  local attempt
  for attempt in $(seq 1 60); do
    if apt-get -o DPkg::Lock::Timeout=600 -qq "$@" >/dev/null; then return 0; fi
    echo "[setup] apt-get $1 failed (attempt $attempt; another apt may hold the lock), retrying in 10 s" >&2
    sleep 10
  done
  echo "[setup] apt-get $* kept failing" >&2
  return 1
}

TEMPORAL_CLI_VERSION=v1.5.1          # newest CLI whose go.mod has no replace directive
FAKE_GCS_VERSION=v1.56.1             # pinned; see README "Tools"
FAKESNOW_VERSION=0.12.1
ROBYNPY_VERSION=0.3.6

if has temporal && [[ ! -x "$tools/temporal" ]]; then
  if [[ -n "${TEMPORAL_CLI_PATH:-}" && -x "${TEMPORAL_CLI_PATH}" ]]; then
    ln -sf "$TEMPORAL_CLI_PATH" "$tools/temporal"
  else
    echo "[setup] building temporal CLI $TEMPORAL_CLI_VERSION (one-off, a few minutes)" >&2
    GOBIN="$tools" GOFLAGS=-trimpath go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  fi
fi

if has gcs && [[ ! -x "$tools/fake-gcs-server" ]]; then
  echo "[setup] building fake-gcs-server $FAKE_GCS_VERSION" >&2
  GOBIN="$tools" go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION"
fi

if has fakesnow && [[ ! -x "$root/.venv/bin/fakesnow" ]]; then
  echo "[setup] installing fakesnow $FAKESNOW_VERSION into .venv" >&2
  python3 -m venv "$root/.venv"
    # fakesnow 0.12.1 does not pin the connector; 5.x removed a module it imports.
  "$root/.venv/bin/pip" install -q "fakesnow[server]==$FAKESNOW_VERSION" "snowflake-connector-python<5"
fi

# The marker names a hash of the pins, so changing infra/robyn/{requirements,constraints}.txt reinstalls.
robyn_reqs="$root/infra/robyn/requirements.txt"
robyn_pins="$root/infra/robyn/constraints.txt"
robyn_ok="$root/.venv-robyn/.ok-$(cat "$robyn_reqs" "$robyn_pins" | sha256sum | cut -c1-12)"
if has robyn && [[ ! -f "$robyn_ok" ]]; then
  if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(glmnet)' >/dev/null 2>&1; then
    echo "[setup] installing R + glmnet from Debian" >&2
    apt_patiently update && apt_patiently install -y r-base-core r-cran-glmnet
  fi
  echo "[setup] installing robynpy $ROBYNPY_VERSION (infra/robyn/requirements.txt) into .venv-robyn" >&2
  python3 -m venv "$root/.venv-robyn"
  "$root/.venv-robyn/bin/pip" install -q -r "$robyn_reqs" -c "$robyn_pins"
  touch "$robyn_ok"
fi

if has chromium && [[ ! -x /usr/bin/chromium ]]; then
  echo "[setup] installing chromium from Debian (the console's browser tests)" >&2
  apt_patiently update && apt_patiently install -y chromium
fi
