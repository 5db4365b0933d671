#!/usr/bin/env bash
# The README's test command: install missing peers, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
npm run build
node scripts/run-tests.mjs "$@"
