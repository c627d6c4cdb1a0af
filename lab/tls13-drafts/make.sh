#!/usr/bin/env bash
# test/fixtures/tls13-drafts/draft-NN.pcap: TLS 1.3 draft handshakes, one per
# capture. No program on this machine speaks a TLS 1.3 draft any more (OpenSSL
# and GnuTLS dropped them with RFC 8446), so the records are written out byte
# for byte after the drafts (draft-ietf-tls-tls13-18 §4.1.3, -21, -22) and
# turned into pcaps by text2pcap:
#   draft 18 (0x7f12) and 21 (0x7f15): ServerHello = version(=draft), random,
#     cipher_suite, extensions (no session id, no compression method), key_share
#     still at codepoint 40;
#   draft 22 (0x7f16): legacy_version 0x0303, session id echo and compression
#     method back, the draft named in supported_versions.
# Each capture: ClientHello, ServerHello, then two type-23 records per
# direction (the encrypted rest). tshark -V decodes them by the draft version;
# its field values are kept next to each capture (draft-NN.tshark.tsv).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/tls13-drafts"
mkdir -p "$OUT"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP" "$HERE/../lib" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from tlsbytes import u8, u16, u24, vec, ext, hs, text2pcap_lines
out = sys.argv[1]
def rec(t, body, v=0x0301): return u8(t) + u16(v) + vec(2, body)  # record version of the drafts' era
KEY_SHARE_OLD = 40
def client_hello(draft, sni):
    exts = (ext(0, vec(2, u8(0) + vec(2, sni)))
            + ext(10, vec(2, u16(0x001d)))
            + ext(13, vec(2, u16(0x0403) + u16(0x0804)))
            + ext(KEY_SHARE_OLD, vec(2, u16(0x001d) + vec(2, bytes(range(0x40, 0x60)))))
            + ext(43, vec(1, u16(draft) + u16(0x0303))))
    body = u16(0x0303) + bytes(range(0x10, 0x30)) + vec(1, b'') + vec(2, u16(0x1301) + u16(0x1302) + u16(0x1303)) + vec(1, u8(0)) + vec(2, exts)
    return rec(22, hs(1, body))
def server_hello(draft, suite):
    share = ext(KEY_SHARE_OLD, u16(0x001d) + vec(2, bytes(range(0x80, 0xa0))))
    rnd = bytes(range(0xb0, 0xd0))
    if (draft & 0xff) < 22:
        body = u16(draft) + rnd + u16(suite) + vec(2, share)
    else:
        body = u16(0x0303) + rnd + vec(1, b'') + u16(suite) + u8(0) + vec(2, ext(43, u16(draft)) + share)
    return rec(22, hs(2, body))
def appdata(n, fill): return rec(23, bytes([fill]) * n)
for draft, suite, sni in [(0x7f12, 0x1303, b'draft18.example'), (0x7f15, 0x1301, b'draft21.example'), (0x7f16, 0x1302, b'draft22.example')]:
    pkts = [('I', client_hello(draft, sni)), ('O', server_hello(draft, suite) + appdata(60, 0xee)), ('O', appdata(300, 0xdd)),
            ('I', appdata(53, 0xcc)), ('I', appdata(40, 0xbb)), ('O', appdata(90, 0xaa))]
    with open('%s/draft-%d.txt' % (out, draft & 0xff), 'w') as f:
        f.write(text2pcap_lines(pkts))
PY
for n in 18 21 22; do
  text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 40000,443 "$TMP/draft-$n.txt" "$OUT/draft-$n.pcap"
  # handshake type, version, suite, extension types, supported_version, JA3S, for each hello (tshark decodes the layout by draft)
  tshark -r "$OUT/draft-$n.pcap" -Y 'tls.handshake.type' -T fields -e tls.handshake.type -e tls.handshake.version \
    -e tls.handshake.ciphersuite -e tls.handshake.extension.type -e tls.handshake.extensions.supported_version \
    -e tls.handshake.session_id_length -e tls.handshake.comp_method -e tls.handshake.ja3s 2>/dev/null > "$OUT/draft-$n.tshark.tsv"
done
