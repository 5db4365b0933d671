#!/usr/bin/env bash
# The README's test command: install missing peers, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-peers.sh
npm run build
# The leak test's AddressSanitizer build of the addon, now rather than beside other tests.
bash scripts/leak-check.sh --build-only || [ $? -eq 77 ]  # 77: no libasan, the test says SKIP
node scripts/run-tests.mjs "$@"
