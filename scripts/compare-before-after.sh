#!/usr/bin/env bash
# Before/after check for changes to compare that must not alter its output
# (issue #16: compare that scales): runs `compare` from a build of BASE and
# from the working tree, byte for byte (stdout, stderr, exit code), on
#   - every two-vantage pair: each client.* against each relay.* / server.* in
#     one directory of test/fixtures, samples and ../shared/captures, with
#     --json, with --json and every keep-it flag, and as text;
#   - with ALL=1, every capture with itself (--json) and alone (--json, one
#     vantage point): ~800 more runs;
#   - EXTRA captures given after BASE (e.g. the bench's many-connection
#     captures), each with itself.
# Usage: scripts/compare-before-after.sh [BASE_COMMIT|BUILT_TREE] [EXTRA…]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-main}
shift || true
. scripts/lib/base-build.sh
base_build "$base"
n=0; bad=0
run() {
  n=$((n + 1))
  local a b
  a=$(node "$old/bin/handshake-inspector.js" compare "$@" 2>&1; echo "exit $?")
  b=$(node bin/handshake-inspector.js compare "$@" 2>&1; echo "exit $?")
  if [ "$a" != "$b" ]; then echo "DIFFERS: compare $*"; bad=$((bad + 1)); fi
}
dirs=(test/fixtures samples)
[ -d ../shared/captures ] && dirs+=(../shared/captures)
while IFS= read -r -d '' c; do
  d=$(dirname "$c")
  for r in "$d"/relay.* "$d"/server.*; do
    case "$r" in *.pcap|*.pcapng|*.gz|*.txt|*.hexdump|*.cap) ;; *) continue ;; esac
    [ -f "$r" ] || continue
    run "$c" "$r" --json
    run "$c" "$r" --json --ranges --names --all-certificates --raw-fingerprints --defaults
    run "$c" "$r"
  done
done < <(find "${dirs[@]}" -type f -name 'client.*' \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' -o -name '*.txt' -o -name '*.hexdump' -o -name '*.cap' \) -print0 | sort -z)
[ "${ALL:-0}" = 1 ] && while IFS= read -r -d '' f; do
  run "$f" "$f" --json
  run "$f" --json
done < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' -o -name '*.txt' -o -name '*.hexdump' -o -name '*.cap' \) -print0 | sort -z)
for f in "$@"; do
  n=$((n + 1))
  node "$old/bin/handshake-inspector.js" compare "$f" "$f" --json > "$old.extra-a.json"
  node bin/handshake-inspector.js compare "$f" "$f" --json > "$old.extra-b.json"
  cmp -s "$old.extra-a.json" "$old.extra-b.json" || { echo "DIFFERS: compare $f $f --json"; bad=$((bad + 1)); }
  rm -f "$old.extra-a.json" "$old.extra-b.json"
done
echo "$n runs, $bad differing"
[ "$bad" -eq 0 ]
