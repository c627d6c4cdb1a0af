#!/usr/bin/env bash
# test/fixtures/preambles/NAME.tcpdump-XX.txt: `tcpdump -nn -XX` text dumps of
# the first packets of some of the real preamble captures (make.sh), for the
# language server's hovers on preamble bytes in text dumps (test/lsp/
# preambleHover.test.ts). The first 14 packets hold the handshake, the
# preamble and the ClientHello of each.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../test/fixtures/preambles"
for name in socks5 socks4 http-connect starttls-smtp proxy-v1 proxy-v2; do
  tcpdump -nn -XX -c 14 -r "$DIR/$name.pcap" > "$DIR/$name.tcpdump-XX.txt" 2>/dev/null
done
