#!/bin/sh
# Makes test/fixtures/quic/: real QUIC v1 handshakes between ngtcp2's GnuTLS
# examples (Debian packages ngtcp2-client, ngtcp2-server) over loopback,
# captured with tcpdump, with the client's TLS key log next to each capture
# (SSLKEYLOGFILE) for the decryption issue. Run as root; needs openssl, tcpdump.
#   ngtcp2-v1.pcap      one connection: client Initial (ClientHello), server
#                       Initial + Handshake coalesced, 1-RTT data, close.
#   ngtcp2-v1.keys      its key log.
#   ngtcp2-v1.keylog.tshark.json  what tshark decrypts with it, Handshake packets too (reference-decrypted.sh).
#   ngtcp2-v1.tshark.json  tshark -T json of the Initials, decrypted by tshark
#                       (the reference the unit tests compare against).
#   ngtcp2-v1.XX.txt, ngtcp2-v1.tshark-x.txt  the capture as tcpdump -XX and tshark -x text.
#   tls3-quic.tshark.json  the Chrome QUIC ClientHellos of ja4-reference/tls3.pcapng, per tshark.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/quic"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 3650 -subj "/CN=quic.example" -addext "subjectAltName=DNS:quic.example" 2>/dev/null
echo "hello over QUIC" > index.html
port=4433
tcpdump -i lo -U -s 0 -w "$work/q.pcap" "udp port $port" 2>/dev/null &
dump=$!
sleep 1
gtlsserver -q -d "$work" 127.0.0.1 $port key.pem cert.pem >server.log 2>&1 &
server=$!
sleep 1
# Three groups: the ClientHello carries key shares for the first two GnuTLS picks.
SSLKEYLOGFILE="$work/keys.log" timeout 10 gtlsclient -q --exit-on-all-streams-close \
  --groups=+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1 127.0.0.1 $port https://quic.example/index.html >client.log 2>&1
sleep 1
kill $server $dump 2>/dev/null || true
wait $dump 2>/dev/null || true
cp q.pcap "$out/ngtcp2-v1.pcap"
cp keys.log "$out/ngtcp2-v1.keys"
tshark -r "$out/ngtcp2-v1.pcap" -T json -Y 'quic.long.packet_type == 0' \
  -e frame.number -e quic.version -e quic.dcid -e quic.scid -e quic.packet_number -e quic.length \
  -e quic.crypto.offset -e quic.crypto.length -e tls.handshake.type -e tls.handshake.extensions_server_name \
  -e tls.handshake.ciphersuite -e tls.handshake.extensions_alpn_str -e tls.quic.parameter.type \
  -e tls.handshake.random > "$out/ngtcp2-v1.tshark.json"
# The same capture as text dumps: QUIC bytes in them get the same ranges (line, column).
tcpdump -r "$out/ngtcp2-v1.pcap" -nn -XX > "$out/ngtcp2-v1.XX.txt" 2>/dev/null
tshark -r "$out/ngtcp2-v1.pcap" -x > "$out/ngtcp2-v1.tshark-x.txt" 2>/dev/null
"$here/reference-decrypted.sh"
echo "wrote $out"

# The Chrome QUIC connections of the JA4 reference capture: what tshark decrypted from their Initials.
tshark -r "$here/../../test/fixtures/ja4-reference/tls3.pcapng" -Y 'quic && tls.handshake.type == 1' -T json \
  -e frame.number -e udp.srcport -e quic.dcid -e tls.handshake.extensions_server_name -e tls.handshake.random \
  > "$out/tls3-quic.tshark.json"
