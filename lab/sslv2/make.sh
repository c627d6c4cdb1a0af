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
TMP=$(mktemp)
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

# test/fixtures/sslv2/sslv2-server.pcapng: three SSL 2.0 connections the server
# answers in SSL 2.0 (written per the SSL 2.0 draft, draft-hickman-netscape-ssl-00
# §2.6; no program here speaks it): CLIENT-HELLO, SERVER-HELLO carrying an
# X.509 certificate made below (openssl, RSA 1024), the accepted cipher specs
# and a connection id, then the client's CLIENT-MASTER-KEY and encrypted
# records with 2- and 3-byte headers (the latter with padding):
#   port 40001: DES-EDE3-CBC (0x0700c0), 8-byte key argument, no clear key;
#   port 40002: RC4-128-EXPORT40 (0x020080), 11 clear key bytes;
#   port 40003: a session-id hit: no certificate, no CLIENT-MASTER-KEY.
# The encrypted key and record bodies are filler bytes (nothing is decrypted).
# tshark's SSLv2 fields per message: sslv2-server.tshark.tsv.
CERT_DIR=$(mktemp -d); trap 'rm -rf "$TMP" "$CERT_DIR"' EXIT
openssl req -x509 -newkey rsa:1024 -nodes -subj /CN=sslv2.example -days 3650 \
  -keyout "$CERT_DIR/key.pem" -outform DER -out "$CERT_DIR/cert.der" 2>/dev/null
python3 - "$CERT_DIR" <<'PY'
import sys
d = sys.argv[1]
cert = open(d + '/cert.der', 'rb').read()
def u16(n): return n.to_bytes(2, 'big')
def rec2(body): return u16(0x8000 | len(body)) + body
def rec3(body, pad): return u16(len(body) + pad) + bytes([pad]) + body + bytes(pad)
def spec(n): return n.to_bytes(3, 'big')
def client_hello(specs, sid):
    s = b''.join(spec(x) for x in specs)
    return rec2(b'\x01' + u16(0x0002) + u16(len(s)) + u16(len(sid)) + u16(16) + s + sid + bytes(range(0x20, 0x30)))
def server_hello(hit, cert, specs):
    s = b''.join(spec(x) for x in specs)
    cid = bytes(range(0x60, 0x70))
    return rec2(b'\x04' + bytes([hit, 1]) + u16(0x0002) + u16(len(cert)) + u16(len(s)) + u16(len(cid)) + cert + s + cid)
def master_key(kind, clear, arg):
    enc = bytes((i * 7 + 3) & 0xff for i in range(128))
    return rec2(b'\x02' + spec(kind) + u16(len(clear)) + u16(len(enc)) + u16(len(arg)) + clear + enc + arg)
def hexline(b): return ' '.join('%02x' % x for x in b)
specs = [0x010080, 0x020080, 0x0700c0]
sid = bytes(range(0x40, 0x50))
conns = {
    1: [('I', client_hello(specs, b'')), ('O', server_hello(0, cert, [0x0700c0, 0x010080])),
        ('I', master_key(0x0700c0, b'', bytes(range(0xa0, 0xa8))) + rec2(bytes([0xc1]) * 33)),
        ('O', rec2(bytes([0xc2]) * 33) + rec3(bytes([0xc3]) * 33, 7)),
        ('I', rec3(bytes([0xc4]) * 100, 4)), ('O', rec2(bytes([0xc5]) * 500))],
    2: [('I', client_hello(specs, b'')), ('O', server_hello(0, cert, [0x020080])),
        ('I', master_key(0x020080, bytes(range(0xb0, 0xbb)), b'') + rec2(bytes([0xd1]) * 33)),
        ('O', rec2(bytes([0xd2]) * 33) + rec2(bytes([0xd3]) * 33))],
    3: [('I', client_hello(specs, sid)), ('O', server_hello(1, b'', [])),
        ('I', rec2(bytes([0xe1]) * 33)), ('O', rec2(bytes([0xe2]) * 33) + rec2(bytes([0xe3]) * 33)),
        ('I', rec2(bytes([0xe4]) * 60))],
}
for n, pkts in conns.items():
    with open('%s/conn-%d.txt' % (d, n), 'w') as f:
        for way, b in pkts: f.write('%s 0000 %s\n' % (way, hexline(b)))
PY
for n in 1 2 3; do
  text2pcap -q -D -4 10.0.0.1,10.0.0.2 -T 4000$n,443 "$CERT_DIR/conn-$n.txt" "$CERT_DIR/conn-$n.pcapng"
done
mergecap -a -w "$OUT/sslv2-server.pcapng" "$CERT_DIR"/conn-1.pcapng "$CERT_DIR"/conn-2.pcapng "$CERT_DIR"/conn-3.pcapng
# tshark -T json, reduced to what the test compares (sslv2-server.tshark.json): per
# connection (client port) and direction, each SSLv2 record's length on the wire
# and, for the cleartext messages, their tls.handshake.* fields (hex for the byte
# fields tshark shows only as raw) and the certificate's commonName.
tshark -r "$OUT/sslv2-server.pcapng" -Y tls -T json -x --no-duplicate-keys 2>/dev/null | python3 -c '
import json, sys
out = {}
def flat(o, acc):
    if isinstance(o, dict):
        for k, v in o.items():
            if k.startswith("tls.handshake.") and k.endswith("_raw") and k[:-4] in ("tls.handshake.connection_id", "tls.handshake.key_arg"):
                acc[k[14:-4]] = v[0]
            elif k.startswith("tls.handshake.") and not k.endswith("_raw") and isinstance(v, list) and all(isinstance(x, str) for x in v):
                acc.setdefault(k[14:], []).extend(v)
            elif k.startswith("tls.handshake.") and not k.endswith("_raw") and not isinstance(v, (dict, list)) and v != "":
                acc.setdefault(k[14:], []).append(v)
            elif k == "x509sat.printableString" or k == "x509sat.uTF8String":
                acc.setdefault("cn", []).append(v)
            elif not k.endswith("_raw"):
                flat(v, acc)
    elif isinstance(o, list):
        for v in o: flat(v, acc)
for pkt in json.load(sys.stdin):
    l = pkt["_source"]["layers"]
    sport, dport = int(l["tcp"]["tcp.srcport"]), int(l["tcp"]["tcp.dstport"])
    client = sport if sport != 443 else dport
    way = "client" if sport == client else "server"
    raws = l["tls"]["tls.record_raw"]
    recs = l["tls"]["tls.record"]
    if not isinstance(recs, list): recs, raws = [recs], [raws]
    for raw, rec in zip(raws, recs):
        fields = {}
        flat(rec, fields)
        out.setdefault(str(client), {}).setdefault(way, []).append({"wire": raw[2], **fields})
json.dump(out, sys.stdout, indent=1, sort_keys=True)
' > "$OUT/sslv2-server.tshark.json"
