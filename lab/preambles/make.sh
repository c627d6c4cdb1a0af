#!/usr/bin/env bash
# =============================================================================
# lab/preambles/make.sh — real captures of TLS that starts after a preamble
# =============================================================================
# Writes test/fixtures/preambles/NAME.pcap (a few kB each), one connection
# (two for haproxy) per file, recorded with tcpdump on the loopback of a
# private network namespace (MTU 1500, gso_max_segs 1, as in
# test/fixtures/handshakes/make.sh), deleted again on exit.
#
#   starttls-{smtp,imap,pop3,ftp,xmpp,irc,nntp,sieve,ldap,postgres}
#       client: `openssl s_client -starttls PROTO` (a real client);
#       server: lab/preambles/starttls_server.py, a scripted server that speaks
#       the protocol's preamble and then runs TLS over the same socket with
#       Python's ssl module (OpenSSL).  Real mail/chat servers (postfix,
#       dovecot …) need long configuration; the TLS bytes are real either way.
#   starttls-smtp-refused
#       client: curl --ssl-reqd smtp://…; the server answers STARTTLS with 454,
#       curl gives up (QUIT): the stream never turns into TLS.
#   socks5, socks5-auth   curl --socks5-hostname / --socks5 -U through microsocks
#   socks4                curl --socks4 through dante-server (sockd); SOCKS4a is
#                         not recorded: this dante refuses to resolve 4a names
#   http-connect          curl --proxy http://… (CONNECT) through tinyproxy
#   proxy-v1, proxy-v2    curl → haproxy (tcp) → send-proxy / send-proxy-v2 →
#                         haproxy `accept-proxy ssl`: the second connection of
#                         each file carries the PROXY header, then TLS.
#   The TLS server behind the proxies is `openssl s_server -www`.
#   socks5-tor-refused    curl --socks5-hostname through Tor's own SocksPort (the
#                         Tor Browser path to its pluggable transports); Tor has no
#                         network in the namespace, so after SocksTimeout (5 s) it
#                         answers "general SOCKS server failure": TLS never starts.
#
# Keys: keys/ (EC P-256, self-signed, CN example.test) is made once and reused.
# Requirements: root, openssl, curl, tcpdump, python3, microsocks, dante-server,
# tinyproxy, haproxy, tor (apt-get install microsocks dante-server tinyproxy haproxy tor).
# Usage: sudo lab/preambles/make.sh
# =============================================================================
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/preambles"
KEYS="$HERE/keys"
NS=hi-preambles
WORK=$(mktemp -d /tmp/hipre.XXXXXX)
PIDS=()
PY=$(python3 -c 'import sys; print(sys.executable)')
log() { printf '[preambles] %s\n' "$*" >&2; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
nsx() { ip netns exec "$NS" "$@"; }

ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
nsx ip link set lo mtu 1500
nsx ip link set lo gso_max_segs 1 2>/dev/null || true
nsx ip link set lo up
mkdir -p "$OUT"

if [[ ! -f "$KEYS/cert.pem" ]]; then
  mkdir -p "$KEYS"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$KEYS/key.pem" -out "$KEYS/cert.pem" \
    -subj /CN=example.test -addext subjectAltName=DNS:example.test,DNS:localhost -days 7300 -set_serial 4242 2>/dev/null
fi
cat "$KEYS/cert.pem" "$KEYS/key.pem" > "$WORK/both.pem"

# start_capture NAME FILTER ; stop_capture
start_capture() {
  # ip netns exec execs tcpdump: $! is tcpdump itself, so it can be stopped cleanly.
  ip netns exec "$NS" tcpdump -i lo -U --immediate-mode -w "$OUT/$1.pcap" "$2" 2>"$WORK/tcpdump.err" & CAP=$!
  # Wait until it listens: a fixed sleep lost whole connections on a loaded machine.
  local i
  for i in $(seq 50); do grep -q listening "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.2
}
stop_capture() { sleep 1; kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true; }

# --- STARTTLS family ----------------------------------------------------------
port=2500
for proto in smtp imap pop3 ftp xmpp irc nntp sieve ldap postgres; do
  port=$((port + 1))
  start_capture "starttls-$proto" "tcp port $port"
  ip netns exec "$NS" "$PY" "$HERE/starttls_server.py" "$proto" "$port" "$KEYS/cert.pem" "$KEYS/key.pem" & SRV=$!
  for i in $(seq 50); do nsx ss -ltn | grep -q ":$port " && break; sleep 0.1; done
  extra=()
  [[ $proto == xmpp ]] && extra=(-xmpphost example.test)
  # stdin's end makes s_client close the TLS session (close_notify) after sending "hello".
  printf 'hello\n' | nsx timeout 10 openssl s_client -starttls "$proto" "${extra[@]}" -connect "127.0.0.1:$port" \
    -servername example.test >/dev/null 2>"$WORK/$proto.err" || log "$proto: s_client exit $? ($(tail -1 "$WORK/$proto.err"))"
  wait "$SRV" || true
  stop_capture
  log "starttls-$proto: $(stat -c %s "$OUT/starttls-$proto.pcap") bytes"
done

port=$((port + 1))
start_capture starttls-smtp-refused "tcp port $port"
ip netns exec "$NS" "$PY" "$HERE/starttls_server.py" smtp "$port" "$KEYS/cert.pem" "$KEYS/key.pem" refuse & SRV=$!
sleep 0.4
nsx timeout 10 curl -s --ssl-reqd "smtp://127.0.0.1:$port" --mail-from a@example.test --mail-rcpt b@example.test -T /dev/null || log "smtp-refused: curl exit $? (expected)"
wait "$SRV" || true
stop_capture

# --- proxies --------------------------------------------------------------------
ip netns exec "$NS" openssl s_server -accept 4443 -cert "$KEYS/cert.pem" -key "$KEYS/key.pem" -www -quiet >/dev/null 2>&1 & PIDS+=($!)
ip netns exec "$NS" microsocks -i 127.0.0.1 -p 1080 >/dev/null 2>&1 & PIDS+=($!)
ip netns exec "$NS" microsocks -i 127.0.0.1 -p 1082 -u lab -P labpass >/dev/null 2>&1 & PIDS+=($!)
cat > "$WORK/sockd.conf" <<CONF
logoutput: /dev/null
internal: 127.0.0.1 port = 1081
external: 127.0.0.1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
CONF
ip netns exec "$NS" danted -f "$WORK/sockd.conf" -p "$WORK/sockd.pid" >/dev/null 2>&1 & PIDS+=($!)
cat > "$WORK/tinyproxy.conf" <<CONF
Port 8888
Listen 127.0.0.1
Timeout 30
Allow 127.0.0.1
ConnectPort 4443
MaxClients 10
CONF
ip netns exec "$NS" tinyproxy -d -c "$WORK/tinyproxy.conf" >/dev/null 2>&1 & PIDS+=($!)
cat > "$WORK/haproxy.cfg" <<CONF
defaults
  mode tcp
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend v1
  bind 127.0.0.1:8441
  default_backend to_v1
backend to_v1
  server s 127.0.0.1:9441 send-proxy
frontend v2
  bind 127.0.0.1:8442
  default_backend to_v2
backend to_v2
  server s 127.0.0.1:9442 send-proxy-v2
frontend term1
  mode http
  bind 127.0.0.1:9441 accept-proxy ssl crt $WORK/both.pem
  http-request return status 200 content-type text/plain string "lab ok"
frontend term2
  mode http
  bind 127.0.0.1:9442 accept-proxy ssl crt $WORK/both.pem
  http-request return status 200 content-type text/plain string "lab ok"
CONF
ip netns exec "$NS" haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & PIDS+=($!)
sleep 1

via() { # NAME FILTER curl-args...
  local name=$1 filter=$2 try; shift 2
  # Up to three tries: on a loaded machine a capture sometimes came out empty.
  for try in 1 2 3; do
    start_capture "$name" "$filter"
    nsx timeout 10 curl -sk -o /dev/null "$@" || log "$name: curl exit $?"
    stop_capture
    [[ $(tcpdump -r "$OUT/$name.pcap" 2>/dev/null | wc -l) -ge 10 ]] && break
    log "$name: capture empty, again"; sleep 1
  done
  log "$name: $(stat -c %s "$OUT/$name.pcap") bytes"
}
via socks5 "tcp port 1080" --socks5-hostname 127.0.0.1:1080 https://localhost:4443/
via socks5-auth "tcp port 1082" --socks5 127.0.0.1:1082 --proxy-user lab:labpass https://127.0.0.1:4443/
via socks4 "tcp port 1081" --socks4 127.0.0.1:1081 https://127.0.0.1:4443/
via http-connect "tcp port 8888" --proxytunnel --proxy http://127.0.0.1:8888 https://localhost:4443/
via proxy-v1 "tcp port 8441 or tcp port 9441" https://127.0.0.1:8441/
via proxy-v2 "tcp port 8442 or tcp port 9442" https://127.0.0.1:8442/
mkdir -m 700 "$WORK/tor"
printf 'SocksPort 127.0.0.1:9050\nDataDirectory %s\nSocksTimeout 5\nLog notice file %s\n' "$WORK/tor" "$WORK/tor.log" > "$WORK/torrc"
ip netns exec "$NS" tor -f "$WORK/torrc" >/dev/null 2>&1 & PIDS+=($!)
for i in $(seq 100); do nsx ss -ltn | grep -q ":9050 " && break; sleep 0.1; done
via socks5-tor-refused "tcp port 9050" --max-time 30 --socks5-hostname 127.0.0.1:9050 https://example.test/
"$HERE/reference.sh"
log "done: $(ls "$OUT" | wc -l) files in $OUT"
