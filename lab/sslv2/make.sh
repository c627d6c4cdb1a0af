#!/usr/bin/env bash
# test/fixtures/sslv2/sslv2-compat-hello.pcap: an SSLv2-framed CLIENT-HELLO
# (version 0x0301, seven cipher specs: two SSLv2-only, five TLS), the way old
# clients opened TLS, answered by a TLS handshake_failure alert. No program on
# this machine still sends one (OpenSSL 3 dropped it), so the bytes are
# written out here and turned into a pcap by text2pcap (-D: I/O directions,
# -T: TCP ports; text2pcap makes the IPv4/TCP headers). tshark -V decodes it
# as "SSLv2 Record Layer: Client Hello" with the seven cipher specs and gives
# it no JA3 (tls.handshake.ja3 is empty): sslv2-compat-hello.tshark-V.txt / .tshark.tsv.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/sslv2"
mkdir -p "$OUT"
TMP=$(mktemp); trap 'rm -f "$TMP"' EXIT
# 2-byte SSLv2 header 0x802e (46 bytes): msg 1, version 0301, cipher-spec length 21,
# session-id length 0, challenge length 16, specs 010080 0700c0 000039 000035 00000a 00002f 0000ff, challenge a0..af.
hello="80 2e 01 03 01 00 15 00 00 00 10 01 00 80 07 00 c0 00 00 39 00 00 35 00 00 0a 00 00 2f 00 00 ff a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af"
cat > "$TMP" <<TXT
I 0000 $hello
O 0000 15 03 01 00 02 02 28
TXT
text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 40000,443 "$TMP" "$OUT/sslv2-compat-hello.pcap"
tshark -r "$OUT/sslv2-compat-hello.pcap" -V -Y tls 2>/dev/null | grep -E "SSLv2|Cipher Spec|Version|JA3|Alert" > "$OUT/sslv2-compat-hello.tshark-V.txt" || true
# ip.src, tcp.srcport, tls.handshake.ja3 (empty: tshark gives SSLv2 hellos none), cipher specs
tshark -r "$OUT/sslv2-compat-hello.pcap" -T fields -e ip.src -e tcp.srcport -e tls.handshake.ja3 -e tls.handshake.cipherspec 2>/dev/null > "$OUT/sslv2-compat-hello.tshark.tsv"
