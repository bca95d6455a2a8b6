#!/usr/bin/env bash
# `npm run up`: Node 24, dependencies if missing, then the local stack runner.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(scripts/ensure-node.sh)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[cineweave] Installing dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
exec node deploy/local/up.ts "$@"
