#!/bin/sh
# What tshark decrypts from the 1-RTT/0-RTT fixtures with their key logs, one JSON object per frame: the
# reference test/engine/quic1rtt.test.ts compares against. Run by make-1rtt.sh; can be re-run alone
# (arguments: which captures, default all).
set -eu
out="$(cd "$(dirname "$0")" && pwd)/../../test/fixtures/quic"
for name in ${*:-keyupdate 0rtt migrate}; do
  tshark -r "$out/ngtcp2-$name.pcap" -o "tls.keylog_file:$out/ngtcp2-$name.keys" -T json \
    -e frame.number -e quic.header_form -e quic.long.packet_type -e quic.packet_number -e quic.key_phase \
    -e quic.frame_type -e quic.stream.length -e quic.cc.error_code -e quic.cc.error_code.app -e quic.cc.reason_phrase \
    -e quic.nci.connection_id -e quic.nci.sequence -e quic.decryption_failed \
    -e tls.handshake.type -e tls.handshake.session_ticket_lifetime_hint -e tls.handshake.session_ticket_age_add \
    -e tls.handshake.session_ticket_length -e tls.handshake.session_ticket_nonce_length \
    > "$out/ngtcp2-$name.1rtt.tshark.json" 2>/dev/null
done
