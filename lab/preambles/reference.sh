#!/usr/bin/env bash
# Writes NAME.tshark.tsv next to each capture in test/fixtures/preambles: the
# TLS hellos as tshark 4.x decodes them (its own STARTTLS/SOCKS/CONNECT/PROXY
# dissectors, IMAP on the lab's port by decode-as), one row per hello:
#   frame  tcp.srcport  tcp.seq(relative)  handshake.type  ciphersuite(s)  SNI  JA3
# The tests check the analyser's hellos, stream offsets and JA3 against these.
# Called by make.sh; can be run alone (needs tshark).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/preambles"
for f in "$OUT"/*.pcap; do
  tshark -r "$f" -d tcp.port==2502,imap -Y tls.handshake.type -T fields -e frame.number -e tcp.srcport -e tcp.seq \
    -e tls.handshake.type -e tls.handshake.ciphersuite -e tls.handshake.extensions_server_name -e tls.handshake.ja3 \
    2>/dev/null > "${f%.pcap}.tshark.tsv"
done
