#!/usr/bin/env bash
# Leak check of the media addon: builds it with AddressSanitizer (build/asan/, rebuilt only
# when a source changed), runs scripts/leak-workload.mjs under node with libasan preloaded,
# and fails if LeakSanitizer reports a leak allocated by the addon (node's own allocations
# are not ours to judge), if ASan finds a memory error, or if the workload finds a port still
# bound after everything was closed. Needs g++ with libasan (part of Debian's g++). The
# build runs niced and one file at a time: it may share the machine with the other tests.
# `--build-only` builds (if stale) and stops: scripts/test.sh does that before the tests run.
set -euo pipefail
cd "$(dirname "$0")/.."

libasan="$(g++ -print-file-name=libasan.so)"
if [ ! -e "$libasan" ]; then
  echo "leak check: SKIP: g++ has no libasan.so"
  exit 77
fi

out="$PWD/build/asan"
mkdir -p "$out"
addon="$out/switchyard_media.node"
sources="$(node -e "const g=JSON.parse(require('fs').readFileSync('binding.gyp','utf8'));console.log(g.targets[0].sources.join(' '))")"
napi="$(node -p "require('node-addon-api').include_dir")"
nodeinc="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -d "$nodeinc" ] || nodeinc="${npm_config_nodedir:-/usr}/include/node"

stale=0
[ -e "$addon" ] || stale=1
for f in $sources native/src/*.h; do [ "$f" -nt "$addon" ] && stale=1; done
if [ "$stale" = 1 ]; then
  echo "leak check: building the addon with AddressSanitizer"
  printf "%s\n" $sources | nice -n 19 xargs -P 1 -I{} sh -c \
    'g++ -std=c++17 -O1 -g -fsanitize=address -fno-omit-frame-pointer -fPIC -Wall -Wextra \
       -I"$1" -I"$2" -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -c "$3" -o "$4/$(basename "$3" .cc).o"' \
    _ "$nodeinc" "$napi" {} "$out"
  g++ -shared -fsanitize=address -o "$addon" "$out"/*.o -lpthread
fi
[ "${1:-}" = "--build-only" ] && exit 0

report="$out/report.txt"
set +e
SWITCHYARD_MEDIA_ADDON="$addon" LD_PRELOAD="$libasan" \
  ASAN_OPTIONS="detect_leaks=1:exitcode=0:log_path=$out/asan" \
  node scripts/leak-workload.mjs
status=$?
set -e
cat "$out"/asan.* > "$report" 2>/dev/null || : > "$report"
rm -f "$out"/asan.*
if [ "$status" -ne 0 ]; then
  echo "leak check: FAIL: the workload exited with $status"
  grep -A12 "ERROR: AddressSanitizer" "$report" || :
  exit 1
fi
# One block per leak: "Direct leak of N byte(s)..." followed by its stack, up to a blank line.
ours="$(awk '/^(Direct|Indirect) leak/ { block = $0; keep = 0; next }
             block != "" && /^$/ { if (keep) print block; block = ""; next }
             block != "" { block = block "\n" $0; if ($0 ~ /switchyard_media|sy::/) keep = 1 }
             END { if (block != "" && keep) print block }' "$report")"
if [ -n "$ours" ]; then
  echo "leak check: FAIL: leaks allocated by the addon"
  echo "$ours"
  exit 1
fi
if grep -q "ERROR: AddressSanitizer" "$report"; then
  echo "leak check: FAIL: AddressSanitizer found a memory error"
  grep -A30 "ERROR: AddressSanitizer" "$report"
  exit 1
fi
others="$(grep -cE '^(Direct|Indirect) leak' "$report" || true)"
echo "leak check: no leaks from the addon ($others outside it); every port free"
