# Sourced by the before/after scripts: builds BASE (a commit, or a directory
# already holding a built tree) beside the working tree and sets `old` to it;
# a checkout it makes is removed on exit. Then builds the working tree.
# Usage: . scripts/lib/base-build.sh; base_build BASE
base_build() {
  if [ -d "$1" ]; then
    old=$1
  else
    old=$(mktemp -d)
    trap 'rm -rf "$old"' EXIT
    git archive "$1" | tar -x -C "$old"
    ln -s "$PWD/node_modules" "$old/node_modules"
    (cd "$old" && node scripts/build.mjs >/dev/null)
  fi
  node scripts/build.mjs >/dev/null
}
