#!/usr/bin/env bash
# Crafted ECH/ESNI handshakes (no client on this machine sends real ECH or ESNI:
# Debian's OpenSSL 3.0 and curl have neither), written byte for byte after
# draft-ietf-tls-esni-02 (ESNI) and RFC 9849 (ECH) and turned into pcaps by
# text2pcap; tshark's view is kept beside them. lab/ech/grease.sh records a real
# GREASE ECH hello from Chromium.
#   esni.pcap: a ClientHello with encrypted_server_name (0xffce: suite 0x1301,
#     x25519 key share, 32-byte ESNIKeys digest, 260-byte encrypted SNI) and no
#     SNI, as Firefox sent it in 2020; the server never answers (the GFW drop).
#   ech-cloudflare.pcapng: two connections with outer SNI cloudflare-ech.com and
#     an outer ECH extension with config id 0x2a; the first server answers with
#     a HelloRetryRequest carrying the ECH extension (8-byte confirmation), the
#     second with a plain TLS 1.3 ServerHello.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/ech"
mkdir -p "$OUT"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP" "$HERE/../lib" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from tlsbytes import u8, u16, u24, vec, ext, hs, rec, text2pcap_lines
out = sys.argv[1]
def hello(exts, rnd):
    return rec(22, hs(1, u16(0x0303) + rnd + vec(1, bytes(32)) + vec(2, u16(0x1301) + u16(0x1302)) + vec(1, u8(0)) + vec(2, b''.join(exts))), 0x0301)
common = [ext(10, vec(2, u16(0x001d))), ext(13, vec(2, u16(0x0403) + u16(0x0804))),
          ext(51, vec(2, u16(0x001d) + vec(2, bytes(range(0x40, 0x60))))), ext(43, vec(1, u16(0x0304)))]
esni = ext(0xffce, u16(0x1301) + u16(0x001d) + vec(2, bytes(range(0x60, 0x80))) + vec(2, bytes(range(0x80, 0xa0))) + vec(2, bytes([0x5e]) * 260))
ech = ext(0xfe0d, u8(0) + u16(1) + u16(1) + u8(0x2a) + vec(2, bytes(range(0xa0, 0xc0))) + vec(2, bytes([0xe5]) * 208))
sni = ext(0, vec(2, u8(0) + vec(2, b'cloudflare-ech.com')))
HRR = bytes.fromhex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c')
def server_hello(rnd, exts): return rec(22, hs(2, u16(0x0303) + rnd + vec(1, bytes(32)) + u16(0x1301) + u8(0) + vec(2, b''.join(exts))))
hrr = server_hello(HRR, [ext(43, u16(0x0304)), ext(51, u16(0x0017)), ext(0xfe0d, bytes(range(0xf0, 0xf8)))])
sh = server_hello(bytes(range(0x10, 0x30)), [ext(43, u16(0x0304)), ext(51, u16(0x001d) + vec(2, bytes(range(0x30, 0x50))))])
files = {
    'esni': [('I', hello(common + [esni], bytes(range(32))))],
    'ech-1': [('I', hello([sni] + common + [ech], bytes(range(1, 33)))), ('O', hrr)],
    'ech-2': [('I', hello([sni] + common + [ech], bytes(range(2, 34)))), ('O', sh + rec(23, bytes([0xdd]) * 80))],
}
for name, pkts in files.items():
    with open('%s/%s.txt' % (out, name), 'w') as f:
        f.write(text2pcap_lines(pkts))
PY
text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 40000,443 "$TMP/esni.txt" "$OUT/esni.pcap"
text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 40001,443 "$TMP/ech-1.txt" "$TMP/ech-1.pcapng"
text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 40002,443 "$TMP/ech-2.txt" "$TMP/ech-2.pcapng"
mergecap -a -w "$OUT/ech-cloudflare.pcapng" "$TMP/ech-1.pcapng" "$TMP/ech-2.pcapng"
# ESNI as tshark 4.0 decodes it (its fields are registered as dtls.esni.* but fill TLS too); ECH: type and length only.
tshark -r "$OUT/esni.pcap" -V -Y tls 2>/dev/null | sed -n '/Extension: encrypted_server_name/,/Encrypted SNI:/p' > "$OUT/esni.tshark-V.txt"
tshark -r "$OUT/ech-cloudflare.pcapng" -Y tls.handshake -T fields -e tcp.srcport -e tls.handshake.type -e tls.handshake.extensions_server_name \
  -e tls.handshake.extension.type -e tls.handshake.extension.len 2>/dev/null > "$OUT/ech-cloudflare.tshark.tsv"
