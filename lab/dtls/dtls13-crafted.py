#!/usr/bin/env python3
"""Writes test/fixtures/dtls/dtls13-crafted.pcap: a DTLS 1.3 (RFC 9147) exchange
built byte by byte, since no Debian program speaks DTLS 1.3 (OpenSSL 3.0 and
pion/dtls v2 do not; GnuTLS 3.7 neither). Checked against tshark, whose
dissector decodes DTLS 1.3 hellos and unified headers (see reference.sh).

  1 client -> server  ClientHello: legacy_version fefd, empty cookie,
                      supported_versions [fefc, fefd], x25519 key share,
                      connection_id c1d2 (the CID the client wants to receive),
                      use_srtp with two profiles and a 2-byte MKI
  2 server -> client  ServerHello (supported_versions fefc, connection_id
                      a0a1a2a3) and, coalesced, a unified-header record
                      0x3e (CID, 16-bit sequence, length, epoch bits 2)
                      carrying the client's CID c1d2: encrypted handshake
  3 client -> server  a unified-header record with the server's CID a0a1a2a3
"""
import os, struct, sys

def vec(n, b): return len(b).to_bytes(n, 'big') + b
def ext(t, body): return struct.pack('>H', t) + vec(2, body)

def hs(msg_type, seq, body):
    return bytes([msg_type]) + len(body).to_bytes(3, 'big') + struct.pack('>H', seq) + (0).to_bytes(3, 'big') + len(body).to_bytes(3, 'big') + body

def record(ct, seq, frag, version=0xfefd, epoch=0):
    return bytes([ct]) + struct.pack('>HH', version, epoch) + seq.to_bytes(6, 'big') + vec(2, frag)

client_random = bytes(range(32))
ch = (struct.pack('>H', 0xfefd) + client_random + vec(1, b'') + vec(1, b'') + vec(2, struct.pack('>HH', 0x1301, 0x1302)) + vec(1, b'\x00') +
      vec(2, ext(43, vec(1, struct.pack('>HH', 0xfefc, 0xfefd))) + ext(10, vec(2, struct.pack('>H', 29))) +
         ext(13, vec(2, struct.pack('>HH', 0x0403, 0x0804))) + ext(51, vec(2, struct.pack('>H', 29) + vec(2, bytes(range(100, 132))))) +
         ext(54, vec(1, bytes.fromhex('c1d2'))) + ext(14, vec(2, struct.pack('>HH', 0x0007, 0x0001)) + vec(1, bytes.fromhex('2a2b')))))
server_random = bytes(range(200, 232))
sh = (struct.pack('>H', 0xfefd) + server_random + vec(1, b'') + struct.pack('>H', 0x1301) + b'\x00' +
      vec(2, ext(43, struct.pack('>H', 0xfefc)) + ext(51, struct.pack('>H', 29) + vec(2, bytes(range(50, 82)))) +
         ext(54, vec(1, bytes.fromhex('a0a1a2a3')))))
encrypted = bytes((i * 37 + 11) & 0xff for i in range(40))
unified_to_client = bytes([0x3e]) + bytes.fromhex('c1d2') + struct.pack('>H', 0) + vec(2, encrypted)
unified_to_server = bytes([0x3e]) + bytes.fromhex('a0a1a2a3') + struct.pack('>H', 0) + vec(2, encrypted[:24])

datagrams = [
    ('10.9.0.1', 50000, '10.9.0.2', 4433, record(22, 0, hs(1, 0, ch))),
    ('10.9.0.2', 4433, '10.9.0.1', 50000, record(22, 0, hs(2, 0, sh)) + unified_to_client),
    ('10.9.0.1', 50000, '10.9.0.2', 4433, unified_to_server),
]

def ip(a): return bytes(int(x) for x in a.split('.'))
def checksum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

out = bytearray(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i, (src, sport, dst, dport, payload) in enumerate(datagrams):
    udp = struct.pack('>HHHH', sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0x1000 + i, 0x4000, 64, 17, 0, ip(src), ip(dst))
    hdr = hdr[:10] + struct.pack('>H', checksum(hdr)) + hdr[12:]
    frame = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00' + hdr + udp
    out += struct.pack('<IIII', 1765094400 + i, 0, len(frame), len(frame)) + frame
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'dtls', 'dtls13-crafted.pcap')
open(path, 'wb').write(out)
print('wrote', path)
