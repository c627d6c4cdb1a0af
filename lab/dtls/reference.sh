#!/bin/sh
# Writes NAME.tshark.json next to each DTLS fixture: tshark's dtls.* fields
# (records, fragments, cookies, suites, extensions, signature algorithms, SRTP
# profiles, certificates, JA3; sender address and UDP ports since
# lab/snowflake) — the reference test/engine/dtls*.test.ts and
# snowflakeLab.test.ts compare to.
# Usage: reference.sh FILE.pcap UDP-PORT (0: let tshark find DTLS and STUN by itself, as on WebRTC flows)
set -eu
f=$1 port=$2
tshark -r "$f" -d "udp.port==$port,dtls" -T json -Y "dtls or stun" \
  -e frame.number -e ip.src -e udp.srcport -e udp.dstport -e dtls.record.content_type -e dtls.record.version -e dtls.record.epoch -e dtls.record.sequence_number \
  -e dtls.record.length -e dtls.handshake.type -e dtls.handshake.length -e dtls.handshake.message_seq \
  -e dtls.handshake.fragment_offset -e dtls.handshake.fragment_length -e dtls.handshake.cookie_length -e dtls.handshake.cookie \
  -e dtls.handshake.random -e dtls.handshake.version -e dtls.handshake.ciphersuite -e dtls.handshake.sig_hash_alg -e dtls.handshake.extension.type \
  -e dtls.use_srtp.protection_profile -e dtls.use_srtp.mki_length -e dtls.use_srtp.mki -e dtls.handshake.extensions_server_name \
  -e dtls.handshake.certificate_length -e dtls.handshake.ja3 -e dtls.handshake.ja3_full -e dtls.handshake.ja3s \
  -e dtls.record.connection_id -e stun.att.username -e stun.id -e stun.type.class -e stun.att.ipv4 -e stun.att.port -e stun.att.priority \
  > "${f%.pcap}.tshark.json" 2>/dev/null
