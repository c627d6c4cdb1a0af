#!/bin/sh
# What tshark decrypts from ngtcp2-v1.pcap with its key log (QUIC Handshake
# packets included): the reference test/engine/quicDecrypt.test.ts compares
# against. Run by make.sh after a new capture; can be re-run alone.
set -eu
out="$(cd "$(dirname "$0")" && pwd)/../../test/fixtures/quic"
tshark -r "$out/ngtcp2-v1.pcap" -o "tls.keylog_file:$out/ngtcp2-v1.keys" -T json -Y 'tls.handshake' \
  -e frame.number -e quic.long.packet_type -e tls.handshake.type -e x509af.serialNumber -e x509sat.uTF8String \
  -e x509ce.dNSName -e tls.handshake.extensions_alpn_str -e tls.quic.parameter.type \
  > "$out/ngtcp2-v1.keylog.tshark.json" 2>/dev/null
