"""Byte builders for the crafted TLS records of lab/*/make.sh (no program here speaks those handshakes)."""


def u8(n): return bytes([n])
def u16(n): return n.to_bytes(2, 'big')
def u24(n): return n.to_bytes(3, 'big')
def vec(n, b): return len(b).to_bytes(n, 'big') + b
def ext(t, b): return u16(t) + vec(2, b)
def hs(t, body): return u8(t) + u24(len(body)) + body
def rec(t, body, v=0x0303): return u8(t) + u16(v) + vec(2, body)
def hexline(b): return ' '.join('%02x' % x for x in b)


def text2pcap_lines(pkts):
    """`I`/`O` direction, offset 0, hex: the input text2pcap -D reads, one packet a line."""
    return ''.join('%s 0000 %s\n' % (d, hexline(b)) for d, b in pkts)
