#!/usr/bin/env bash
# test/fixtures/ech/chromium-grease-ech.pcap: a real GREASE ECH ClientHello.
# Chromium (headless) sends an encrypted_client_hello extension (0xfe0d,
# outer type) with random contents when it has no ECH configuration for the
# site, and keeps the real server name in the SNI; here it connects to
# `openssl s_server` on the loopback of a private network namespace (sts-ech),
# recorded with tcpdump. openssl 3.0 does not know ECH and ignores it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/ech"
NS=sts-ech
mkdir -p "$OUT"
TMP=$(mktemp -d)
cleanup() {
  ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=grease-ech.example -days 30 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
ip netns exec "$NS" tcpdump -i lo -s 0 -U -w "$TMP/all.pcap" tcp port 8443 2>/dev/null &
ip netns exec "$NS" openssl s_server -accept 8443 -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www -quiet >/dev/null 2>&1 &
sleep 1
ip netns exec "$NS" timeout 30 chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors \
  --user-data-dir="$TMP/profile" --host-resolver-rules='MAP grease-ech.example 127.0.0.1' \
  --dump-dom https://grease-ech.example:8443/ >/dev/null 2>&1 || true
sleep 1
# The first connection only (Chromium may open more): its SYN to its FIN/RST.
port=$(tcpdump -nn -r "$TMP/all.pcap" 2>/dev/null | awk '/Flags \[S\]/ {split($3,a,"."); print a[5]; exit}')
tcpdump -r "$TMP/all.pcap" -w "$OUT/chromium-grease-ech.pcap" "tcp port $port" 2>/dev/null
# tshark 4.0 names the extension but does not decode ECH: type, length, SNI as it sees them.
tshark -r "$OUT/chromium-grease-ech.pcap" -Y 'tls.handshake.type==1' -T fields -e tls.handshake.extension.type \
  -e tls.handshake.extensions_server_name -e tls.handshake.ja3 2>/dev/null > "$OUT/chromium-grease-ech.tshark.tsv"
