#!/usr/bin/env bash
# =============================================================================
# lab/decrypt/make.sh — real TLS 1.3 captures with the key logs that decrypt them
# =============================================================================
# Writes test/fixtures/decrypt/NAME.pcap + NAME.keylog (+ NAME.tshark.json, what
# `tshark -o tls.keylog_file:NAME.keylog` decrypts: the reference the tests
# compare against). Recorded with tcpdump on the loopback of a private network
# namespace (decrypt-lab), deleted again on exit.
#
#   tls13-aes128gcm, tls13-aes256gcm, tls13-chacha20, tls13-aes128ccm,
#   tls13-aes128ccm8   openssl s_client -keylogfile -ciphersuites SUITE against
#                      openssl s_server -www (one GET, NewSessionTickets, close_notify)
#   tls13-hrr          the server accepts only P-384, the client's key share is
#                      X25519: HelloRetryRequest, a second ClientHello
#   tls13-keyupdate    the client sends a certificate (CertificateRequest,
#                      client Certificate + CertificateVerify) and a KeyUpdate
#                      asking the server for one too ('K' on s_client's stdin)
#   tls13-alert        the server requires a client certificate, the client has
#                      none: an encrypted certificate_required alert
#   tls13-early        two connections: the second resumes the first's session
#                      and sends its request as 0-RTT early data (accepted)
#   node-keylog        Node's tls server and client (the 'keylog' event), ALPN h2
#   curl               curl with SSLKEYLOGFILE against s_server -alpn http/1.1
#   dsb.pcapng         tls13-aes128gcm with its key log embedded as a pcapng
#                      Decryption Secrets Block (editcap --inject-secrets tls,…)
#   tls13-aes128gcm.XX.txt  tls13-aes128gcm as a tcpdump -XX text dump
#   sidecar.pcap + sidecar.pcap.keys   tls13-chacha20 again, with its key log as
#                      the sidecar the analysis picks up by itself
#
# Keys: keys/ (RSA 2048 server certificate CN=decrypt.example, serial 0x5eed;
# client certificate CN=client.example) are made once and reused.
# Requirements: root, openssl (3.x), tcpdump, tshark/editcap, node, curl.
# Usage: sudo lab/decrypt/make.sh [NAME…]   (NAME: a case above; default all)
# =============================================================================
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/decrypt"
KEYS="$HERE/keys"
NS=decrypt-lab
WORK=$(mktemp -d /tmp/hidecrypt.XXXXXX)
PIDS=()
log() { printf '[decrypt] %s\n' "$*" >&2; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
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
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEYS/key.pem" -out "$KEYS/cert.pem" \
    -subj /O=Decrypt\ Lab/CN=decrypt.example -addext subjectAltName=DNS:decrypt.example,DNS:localhost -days 7300 -set_serial 0x5eed 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$KEYS/client-key.pem" -out "$KEYS/client-cert.pem" \
    -subj /CN=client.example -days 7300 -set_serial 0xc1 2>/dev/null
fi

start_capture() {
  ip netns exec "$NS" tcpdump -i lo -U --immediate-mode -w "$WORK/$1.pcap" "$2" 2>"$WORK/tcpdump.err" & CAP=$!
  local i
  for i in $(seq 50); do grep -q listening "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.2
}
stop_capture() { sleep 1; kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true; }
wait_port() { local i; for i in $(seq 50); do nsx bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# server PORT ARGS… : one s_server that ends after the connections it is told to accept.
server() {
  local port=$1; shift
  nsx openssl s_server -accept "$port" -cert "$KEYS/cert.pem" -key "$KEYS/key.pem" -tls1_3 "$@" >"$WORK/server.$port.log" 2>&1 & PIDS+=($!)
  SERVER=$!
  sleep 0.5
}
finish() { # NAME: copy the capture and key log, write tshark's view of the decrypted handshake
  local name=$1
  cp "$WORK/$name.pcap" "$OUT/$name.pcap"
  cp "$WORK/$name.keylog" "$OUT/$name.keylog"
  reference "$OUT/$name.pcap" "$OUT/$name.keylog" > "$OUT/$name.tshark.json"
}
reference() {
  tshark -r "$1" -o "tls.keylog_file:$2" -T json -Y tls \
    -e frame.number -e tcp.srcport -e tls.record.opaque_type -e tls.record.content_type -e tls.handshake.type \
    -e tls.handshake.extensions_alpn_str -e tls.handshake.extensions_server_name -e x509af.serialNumber -e x509sat.uTF8String \
    -e x509sat.printableString -e x509ce.dNSName -e tls.alert_message.level -e tls.alert_message.desc -e tls.handshake.verify_data \
    -e tls.handshake.sig_hash_alg -e tls.handshake.session_ticket_lifetime_hint -e tls.handshake.ciphersuite -e tls.handshake.key_update.request_update \
    2>/dev/null
}
GET=$'GET / HTTP/1.0\r\n\r\n'
# With names as arguments only those cases are recorded (the others' files are left as they are).
ONLY=("$@")
want() { [[ ${#ONLY[@]} -eq 0 ]] && return 0; local n; for n in "${ONLY[@]}"; do [[ $n == "$1" ]] && return 0; done; return 1; }

port=4400
for s in TLS_AES_128_GCM_SHA256:tls13-aes128gcm TLS_AES_256_GCM_SHA384:tls13-aes256gcm TLS_CHACHA20_POLY1305_SHA256:tls13-chacha20 \
         TLS_AES_128_CCM_SHA256:tls13-aes128ccm TLS_AES_128_CCM_8_SHA256:tls13-aes128ccm8; do
  suite=${s%%:*}; name=${s##*:}; port=$((port + 1))
  want "$name" || continue
  log "$name"
  start_capture "$name" "tcp port $port"
  server "$port" -www -naccept 1 -ciphersuites "$suite"
  { printf '%s' "$GET"; sleep 1; } | nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example -ciphersuites "$suite" \
    -keylogfile "$WORK/$name.keylog" -ign_eof >"$WORK/$name.client.log" 2>&1 || true
  stop_capture; wait "$SERVER" 2>/dev/null || true
  finish "$name"
done

if want tls13-hrr; then
port=4410; name=tls13-hrr; log "$name"
start_capture "$name" "tcp port $port"
server "$port" -www -naccept 1 -groups P-384
{ printf '%s' "$GET"; sleep 1; } | nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example -groups X25519:P-384 \
  -keylogfile "$WORK/$name.keylog" -ign_eof >"$WORK/$name.client.log" 2>&1 || true
stop_capture; wait "$SERVER" 2>/dev/null || true
finish "$name"
fi

if want tls13-keyupdate; then
port=4411; name=tls13-keyupdate; log "$name"
start_capture "$name" "tcp port $port"
server "$port" -www -naccept 1 -verify 1 -CAfile "$KEYS/client-cert.pem"
# s_client reads 'K' on its own line as a command: a KeyUpdate that asks the server for one as well.
{ sleep 0.5; printf 'K\n'; sleep 0.3; printf '%s' "$GET"; sleep 1; } | \
  nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example -cert "$KEYS/client-cert.pem" -key "$KEYS/client-key.pem" \
  -keylogfile "$WORK/$name.keylog" >"$WORK/$name.client.log" 2>&1 || true
stop_capture; wait "$SERVER" 2>/dev/null || true
finish "$name"
fi

if want tls13-alert; then
port=4412; name=tls13-alert; log "$name"
start_capture "$name" "tcp port $port"
server "$port" -www -naccept 1 -Verify 1
{ printf '%s' "$GET"; sleep 1; } | nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example \
  -keylogfile "$WORK/$name.keylog" -ign_eof >"$WORK/$name.client.log" 2>&1 || true
stop_capture; wait "$SERVER" 2>/dev/null || true
finish "$name"
fi

if want tls13-early; then
port=4413; name=tls13-early; log "$name"
printf '%s' "$GET" > "$WORK/early.txt"
start_capture "$name" "tcp port $port"
# -early_data cannot go with -www: a plain s_server, its stdin held open (EOF would end it).
sleep 8 | nsx openssl s_server -accept "$port" -cert "$KEYS/cert.pem" -key "$KEYS/key.pem" -tls1_3 -early_data -naccept 2 \
  >"$WORK/server.$port.log" 2>&1 & PIDS+=($!)
sleep 0.5
sleep 1 | nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example -sess_out "$WORK/sess.pem" \
  -keylogfile "$WORK/$name.keylog" >"$WORK/$name.client1.log" 2>&1 || true
# The second connection resumes the first's session and sends the request as 0-RTT early data.
sleep 1 | nsx openssl s_client -connect 127.0.0.1:$port -servername decrypt.example -sess_in "$WORK/sess.pem" \
  -early_data "$WORK/early.txt" -keylogfile "$WORK/$name.keylog" >"$WORK/$name.client2.log" 2>&1 || true
grep -q 'Early data was accepted' "$WORK/$name.client2.log"
stop_capture
finish "$name"
fi

if want node-keylog; then
port=4414; name=node-keylog; log "$name"
start_capture "$name" "tcp port $port"
nsx node "$HERE/node-keylog.js" "$port" "$KEYS" "$WORK/$name.keylog" >"$WORK/$name.node.log" 2>&1
stop_capture
finish "$name"
fi

if want curl; then
port=4415; name=curl; log "$name"
start_capture "$name" "tcp port $port"
server "$port" -www -naccept 1 -alpn http/1.1
nsx env SSLKEYLOGFILE="$WORK/$name.keylog" curl -sk --tlsv1.3 --resolve decrypt.example:$port:127.0.0.1 "https://decrypt.example:$port/" \
  -o /dev/null || true
stop_capture; wait "$SERVER" 2>/dev/null || true
finish "$name"
fi

if want dsb; then
log dsb.pcapng
editcap --inject-secrets "tls,$OUT/tls13-aes128gcm.keylog" "$OUT/tls13-aes128gcm.pcap" "$OUT/dsb.pcapng"
reference "$OUT/dsb.pcapng" /dev/null > "$OUT/dsb.tshark.json"
fi

if want sidecar; then
log sidecar.pcap
cp "$OUT/tls13-chacha20.pcap" "$OUT/sidecar.pcap"
cp "$OUT/tls13-chacha20.keylog" "$OUT/sidecar.pcap.keys"
fi
if want tls13-aes128gcm.XX; then
log tls13-aes128gcm.XX.txt
# The same capture as a tcpdump -XX text dump: decrypted fields get line/column ranges there.
tcpdump -r "$OUT/tls13-aes128gcm.pcap" -nn -XX > "$OUT/tls13-aes128gcm.XX.txt" 2>/dev/null
fi
log "wrote $OUT"
