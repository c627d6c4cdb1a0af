#!/usr/bin/env bash
# Makes test/fixtures/decrypt12/: real TLS 1.0, 1.1 and 1.2 sessions between
# `openssl s_client` and `openssl s_server -rev` (the server answers each line
# reversed) inside a network namespace of its own (d12lab: its loopback only,
# so other labs running at the same time never show up in the capture),
# captured with tcpdump, each with the key log s_client wrote (-keylogfile:
# one CLIENT_RANDOM line per handshake, two for the renegotiation).
#   NAME.pcap          one TCP connection: handshake, a line each way, close_notify both ways
#   NAME.keys          its NSS key log
#   NAME.tshark.json   what tshark -T json decrypted with NAME.keys, per frame (reference.py picks
#                      the fields): the reference test/engine/decrypt12.test.ts compares against
# Run as root; needs openssl (3.x), tcpdump, tshark, ip. ONLY=NAME makes just that session;
# KEEP=1 keeps the work folder (the s_client/s_server logs) and says where.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/decrypt12"
ns=d12lab
work=$(mktemp -d)
cleanup() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
mkdir -p "$out"
cd "$work"
ip netns add "$ns"
ip -n "$ns" link set lo up

# RSA (the suites below are all *-RSA-* or plain RSA key exchange); 2048 bits keeps the certificate small.
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 3650 \
  -subj "/CN=d12.example" -addext "subjectAltName=DNS:d12.example" 2>/dev/null

port=4400
# session NAME CIPHERS "server options" "client options" "client script (lines, with sleeps)"
session() {
  local name=$1 cipher=$2 sopts=$3 copts=$4 script=$5
  # ONLY=NAME remakes one session and leaves the others' fixtures as they are.
  if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then port=$((port + 1)); return; fi
  # A port per session: the last one's may still be in TIME_WAIT.
  port=$((port + 1))
  rm -f keys.log
  ip netns exec "$ns" tcpdump -i lo -U -s 0 -w "$work/$name.pcap" "tcp port $port" 2>/dev/null &
  local dump=$!
  sleep 1
  # shellcheck disable=SC2086
  ip netns exec "$ns" openssl s_server -accept $port -cert cert.pem -key key.pem -rev -cipher "$cipher" $sopts >"$name.server.log" 2>&1 &
  local server=$!
  sleep 1
  # shellcheck disable=SC2086
  bash -c "$script" | ip netns exec "$ns" openssl s_client -connect 127.0.0.1:$port -servername d12.example \
      -keylogfile "$work/keys.log" -cipher "$cipher" $copts >"$name.client.log" 2>&1 || true
  sleep 1
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  kill $dump 2>/dev/null || true
  wait $dump 2>/dev/null || true
  cp "$name.pcap" "$out/$name.pcap"
  cp keys.log "$out/$name.keys"
  # tshark decrypts with the key log; reference.py keeps what the tests compare (per frame: each
  # record's type and length, the decrypted handshake types, Finished verify_data, alert level and
  # description, and the decrypted application data), so the reference stays small.
  tshark -r "$out/$name.pcap" -o "tls.keylog_file:$out/$name.keys" -Y tls -T json -x --no-duplicate-keys \
    -J "frame tcp tls data" 2>/dev/null | python3 "$here/reference.py" > "$out/$name.tshark.json"
  echo "$name: $(grep -c CLIENT_RANDOM "$out/$name.keys") key(s), $(stat -c %s "$out/$name.pcap") bytes"
}

say='echo hello from the client; sleep 0.5; echo a second line; sleep 0.5'
# TLS 1.2 AEAD: AES-GCM (SHA-256 and SHA-384 PRF), ChaCha20-Poly1305 (RFC 7905 nonce).
session tls12-ecdhe-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 "-tls1_2" "-tls1_2" "$say"
session tls12-rsa-aes256gcm AES256-GCM-SHA384 "-tls1_2" "-tls1_2" "$say"
session tls12-ecdhe-chacha20 ECDHE-RSA-CHACHA20-POLY1305 "-tls1_2" "-tls1_2" "$say"
session tls12-dhe-aes128gcm DHE-RSA-AES128-GCM-SHA256 "-tls1_2" "-tls1_2" "$say"
# TLS 1.2 CBC: encrypt-then-MAC (OpenSSL's default when both offer it) and MAC-then-encrypt.
session tls12-ecdhe-aes128sha-etm ECDHE-RSA-AES128-SHA "-tls1_2" "-tls1_2" "$say"
session tls12-ecdhe-aes128sha ECDHE-RSA-AES128-SHA "-tls1_2" "-tls1_2 -no_etm" "$say"
session tls12-rsa-aes256sha256 AES256-SHA256 "-tls1_2" "-tls1_2 -no_etm" "$say"
session tls12-ecdhe-aes256sha384 ECDHE-RSA-AES256-SHA384 "-tls1_2" "-tls1_2 -no_etm" "$say"
# TLS 1.0 and 1.1 CBC (implicit IV chained from the previous record; explicit IV per record).
session tls10-ecdhe-aes128sha 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' "-tls1" "-tls1 -no_etm" "$say"
session tls10-ecdhe-aes128sha-etm 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' "-tls1" "-tls1" "$say"
session tls11-ecdhe-aes256sha-etm 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0' "-tls1_1" "-tls1_1" "$say"
# Renegotiation: s_client's "R" command starts a second handshake inside the encrypted session
# (secure renegotiation, RFC 5746); the key log gets a second CLIENT_RANDOM line.
# -client_renegotiation: OpenSSL 3 servers refuse a client's renegotiation by default;
# -no_resumption_on_reneg: a full second handshake (Certificate inside the encrypted session, as
# Tor's renegotiation was in 2011), not an abbreviated one.
reneg='echo before renegotiation; sleep 0.5; echo R; sleep 1; echo after renegotiation; sleep 0.5'
session tls12-renegotiation ECDHE-RSA-AES128-GCM-SHA256 "-tls1_2 -client_renegotiation -no_resumption_on_reneg" "-tls1_2" "$reneg"
# The same without -client_renegotiation: the server answers the encrypted ClientHello with a
# warning no_renegotiation alert (100), encrypted.
session tls12-renegotiation-refused ECDHE-RSA-AES128-GCM-SHA256 "-tls1_2" "-tls1_2" "$reneg"
echo "wrote $out"
