#!/usr/bin/env bash
# `npm run up`: Node 24, dependencies if missing, then the local stack runner (deploy/local/up.ts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
logs="${CINEWEAVE_STATE_DIR:-$root/.cineweave}/logs"
mkdir -p "$logs"

# Node 24 (installed into .tools/ when the machine's is older): one line when it is installed,
# npm's own notes about it left out; all of it on failure.
notes="$(mktemp)"
if ! path_line="$(scripts/ensure-node.sh 2>"$notes")"; then
  cat "$notes" >&2
  rm -f "$notes"
  exit 1
fi
eval "$path_line"
if grep -q '^# installing ' "$notes"; then
  echo "  ✓ Node        $(node --version) installed into .tools/node (the node on PATH is older)"
fi
grep -v -e '^# node v[0-9.]* installed$' -e 'on PATH is new enough$' -e '^# installing ' \
  -e '^added [0-9]* packages\? in ' -e '^$' "$notes" >&2 || true
rm -f "$notes"

# onnxruntime-node's install script would download its CUDA 12 provider, which a CPU-only local
# stack never loads (and which machines without internet cannot fetch). A GPU machine sets
# ONNXRUNTIME_NODE_INSTALL=cuda12 itself.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "  … Installing dependencies with npm ci (first run: a few minutes; log: $logs/npm-ci.log)"
  if ! npm ci --no-audit --no-fund >"$logs/npm-ci.log" 2>&1; then
    tail -n 25 "$logs/npm-ci.log" >&2
    echo "npm ci failed: see $logs/npm-ci.log" >&2
    exit 1
  fi
fi

runner=(node --conditions=@cineweave/source deploy/local/up.ts "$@")
if ! command -v setsid >/dev/null; then
  exec "${runner[@]}"
fi
# The runner gets a session of its own, so that Ctrl-C reaches it alone and it stops the stack in order
# (portal, API and worker while Redis and Postgres still answer, then the stores). Otherwise the
# terminal's SIGINT would also hit the embedded Postgres and Redis, which would quit under the API.
setsid "${runner[@]}" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' INT TERM
while true; do
  status=0
  wait "$pid" || status=$?
  kill -0 "$pid" 2>/dev/null || break
done
exit "$status"
