#!/usr/bin/env bash
# Runs a command with Node >= 24 first on PATH (bootstrapping it like `npm run up` does), so that
# `npm test` and the other .ts entry points work on machines whose own node is older.
# Usage: scripts/with-node.sh node scripts/test-all.ts
set -euo pipefail
eval "$("$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh")"
exec "$@"
