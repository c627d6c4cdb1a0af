#!/bin/sh
# Makes test/fixtures/quic/ngtcp2-ffdhe8192.pcap: a real QUIC v1 handshake whose ClientHello spans two
# Initial packets (in two datagrams). The GnuTLS build in Debian 12 has no post-quantum group
# (X25519MLKEM768 came with GnuTLS 3.8.9), so the large key share is a classic one: gtlsclient offering
# FFDHE8192 first sends a 1,024-byte key share for it (plus X25519's 32), a 1,326-byte ClientHello that
# does not fit one 1,200-byte Initial. Like post-quantum ClientHellos it evades censors that read only the
# first Initial (the GFW since 2024). Run as root; needs ngtcp2-client/ngtcp2-server, openssl, tcpdump, tshark.
#   ngtcp2-ffdhe8192.pcap          the capture (loopback)
#   ngtcp2-ffdhe8192.keys          the client's key log (SSLKEYLOGFILE)
#   ngtcp2-ffdhe8192.tshark.json   tshark -2 -T json of the reassembled ClientHello: the test's reference
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/quic"
work=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 3650 -subj "/CN=quic.example" -addext "subjectAltName=DNS:quic.example" 2>/dev/null
echo "hello over QUIC" > index.html
port=4434
tcpdump -i lo -U -s 0 -w "$work/q.pcap" "udp port $port" 2>/dev/null &
dump=$!
pids="$dump"
sleep 1
gtlsserver -q -d "$work" 127.0.0.1 $port key.pem cert.pem >server.log 2>&1 &
pids="$pids $!"
sleep 1
SSLKEYLOGFILE="$work/keys.log" timeout 10 gtlsclient -q --exit-on-all-streams-close \
  --groups=-GROUP-ALL:+GROUP-FFDHE8192:+GROUP-X25519 127.0.0.1 $port https://quic.example/index.html >client.log 2>&1
sleep 1
kill $dump 2>/dev/null || true
wait $dump 2>/dev/null || true
cp q.pcap "$out/ngtcp2-ffdhe8192.pcap"
cp keys.log "$out/ngtcp2-ffdhe8192.keys"
tshark -2 -r "$out/ngtcp2-ffdhe8192.pcap" -Y 'tls.handshake.type == 1' -T json \
  -e frame.number -e quic.crypto.offset -e quic.crypto.length -e tls.handshake.length -e tls.handshake.random \
  -e tls.handshake.ciphersuite -e tls.handshake.extension.type -e tls.handshake.extensions_supported_group \
  -e tls.handshake.extensions_key_share_group -e tls.handshake.extensions_key_share_key_exchange_length \
  -e tls.handshake.extensions_server_name -e tls.quic.parameter.type > "$out/ngtcp2-ffdhe8192.tshark.json"
tshark -r "$out/ngtcp2-ffdhe8192.pcap" -T fields -e frame.number -e udp.length -e quic.crypto.offset -e quic.crypto.length \
  -Y 'quic.long.packet_type == 0' 2>/dev/null | sed 's/Running as user.*//' > "$out/ngtcp2-ffdhe8192.crypto.tsv"
echo "wrote $out/ngtcp2-ffdhe8192.*"
