#!/usr/bin/env bash
# Before/after check for changes that must not alter output: runs `analyze
# --json` (and `compare --json` of each two-vantage pair and of each capture
# with itself) from a build of BASE (default main's merge base) and from the
# working tree over every capture in test/fixtures and samples, and diffs.
# Usage: scripts/json-before-after.sh [BASE_COMMIT|BUILT_TREE]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-948578c}
. scripts/lib/base-build.sh
base_build "$base"
n=0; bad=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  for cmd in "analyze $f --json --all --packets" "compare $f $f --json"; do
    a=$(node "$old/bin/handshake-inspector.js" $cmd 2>&1 || true)
    b=$(node bin/handshake-inspector.js $cmd 2>&1 || true)
    if [ "$a" != "$b" ]; then echo "DIFFERS: $cmd"; bad=$((bad + 1)); fi
  done
done < <(find test/fixtures samples -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' -o -name '*.txt' -o -name '*.hexdump' -o -name '*.cap' -o -name '*.bin' \) -print0 | sort -z)
echo "$n inputs, $bad differing outputs"
[ "$bad" -eq 0 ]
