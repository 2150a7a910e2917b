#!/usr/bin/env bash
# Installs the test-only Node tools pinned in tools/node (Prism, and Twilio's OpenAPI specs as
# shipped in @twilio-alpha/mcp) into var/node_tools, from the npm registry. Skips the install
# when var/node_tools already holds exactly that lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
target=var/node_tools
if [ -x "$target/node_modules/.bin/prism" ] && cmp -s tools/node/package-lock.json "$target/package-lock.json"; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is needed for the Twilio contract tests (Node >= 18)" >&2; exit 1; }
echo "==> installing Prism and Twilio's OpenAPI specs into $target"
mkdir -p "$target"
cp tools/node/package.json tools/node/package-lock.json "$target/"
# No install scripts: neither package needs one, and none should run on a test machine.
npm ci --prefix "$target" --ignore-scripts --no-audit --no-fund --loglevel=error
