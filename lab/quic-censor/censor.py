#!/usr/bin/env python3
"""An inline QUIC SNI censor, modelled on the Great Firewall's (Zohaib et al.,
USENIX Security 2025): a transparent userspace bridge between two interfaces
(AF_PACKET raw sockets, no kernel forwarding) that

  * decrypts each client QUIC v1 Initial with the keys any observer derives
    from its Destination Connection ID (RFC 9001 5.2, python3-cryptography),
  * reads the SNI from the CRYPTO data at stream offset 0 of that one packet
    (like the GFW it does not reassemble CRYPTO frames across packets),
  * drops an Initial whose SNI is on the blocklist, and then blocks the
    client-server-port triple (client IP, server IP, server UDP port) in both
    directions for WINDOW seconds: the GFW's residual blocking (180 s there).
    With --pass-trigger the Initial that matched is let through and only what
    follows is blocked, as the GFW does it (the server sees one Initial, then
    nothing more; its answer never reaches the client).

A blocked triple is blocked for TCP too (the same client, server and port 443): a TLS-over-TCP
connection tried inside the window loses its SYNs, as IP-and-port blocking does.
Everything else (ARP, other UDP, TCP and QUIC of other triples) is forwarded as is.
Usage: censor.py [--pass-trigger] IFACE_CLIENT IFACE_SERVER WINDOW_SECONDS SNI [SNI...]
Logs one line per decision to stdout.
"""
import select
import socket
import struct
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives import hmac

V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
PACKET_OUTGOING = 4
ETH_P_ALL = 3


def hkdf_extract(salt, ikm):
    h = hmac.HMAC(salt, hashes.SHA256())
    h.update(ikm)
    return h.finalize()


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def varint(b, i):
    first = b[i]
    n = 1 << (first >> 6)
    v = first & 0x3F
    for k in range(1, n):
        v = (v << 8) | b[i + k]
    return v, i + n


def client_initial_plaintext(d):
    """Opens a client Initial (QUIC v1) at the start of UDP payload d; None when it is not one."""
    if len(d) < 7 or d[0] & 0xF0 != 0xC0 or d[1:5] != b"\x00\x00\x00\x01":
        return None
    i = 5
    dcid = d[i + 1:i + 1 + d[i]]
    i += 1 + d[i]
    i += 1 + d[i]  # source connection ID
    tok_len, i = varint(d, i)
    i += tok_len
    length, i = varint(d, i)
    pn_off = i
    if pn_off + 20 > len(d) or pn_off + length > len(d):
        return None
    secret = expand_label(hkdf_extract(V1_SALT, dcid), b"client in", 32)
    key, iv, hp = (expand_label(secret, b"quic key", 16), expand_label(secret, b"quic iv", 12),
                   expand_label(secret, b"quic hp", 16))
    sample = d[pn_off + 4:pn_off + 20]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    first = d[0] ^ (mask[0] & 0x0F)
    pn_len = (first & 3) + 1
    pn_bytes = bytes(d[pn_off + k] ^ mask[1 + k] for k in range(pn_len))
    header = bytes([first]) + d[1:pn_off] + pn_bytes
    pn = int.from_bytes(pn_bytes, "big")
    nonce = bytes(a ^ b for a, b in zip(iv, pn.to_bytes(12, "big")))
    try:
        return AESGCM(key).decrypt(nonce, bytes(d[pn_off + pn_len:pn_off + length]), header)
    except Exception:
        return None


def crypto_at_zero(plain):
    """The CRYPTO frame data at stream offset 0 of this one packet (no reassembly across packets)."""
    i = 0
    while i < len(plain):
        t = plain[i]
        if t == 0x00 or t == 0x01:
            i += 1
        elif t in (0x02, 0x03):
            i += 1
            _, i = varint(plain, i)
            _, i = varint(plain, i)
            n, i = varint(plain, i)
            _, i = varint(plain, i)
            for _ in range(n):
                _, i = varint(plain, i)
                _, i = varint(plain, i)
            if t == 0x03:
                for _ in range(3):
                    _, i = varint(plain, i)
        elif t == 0x06:
            off, i = varint(plain, i + 1)
            n, i = varint(plain, i)
            if off == 0:
                return plain[i:i + n]
            i += n
        else:
            return None
    return None


def sni(hello):
    """server_name of a ClientHello (handshake header first); None if it is not in these bytes."""
    try:
        if hello[0] != 1:
            return None
        i = 4 + 2 + 32
        i += 1 + hello[i]
        i += 2 + struct.unpack_from("!H", hello, i)[0]
        i += 1 + hello[i]
        end = i + 2 + struct.unpack_from("!H", hello, i)[0]
        i += 2
        while i + 4 <= end:
            etype, elen = struct.unpack_from("!HH", hello, i)
            if etype == 0:
                n = struct.unpack_from("!H", hello, i + 7)[0]
                return hello[i + 9:i + 9 + n].decode("ascii", "replace")
            i += 4 + elen
    except (IndexError, struct.error):
        return None
    return None


def udp4(frame):
    """(src, dst, sport, dport, payload, is_udp) of an Ethernet/IPv4 UDP or TCP frame, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] not in (6, 17):
        return None
    ihl = (frame[14] & 0x0F) * 4
    u = 14 + ihl
    sport, dport = struct.unpack_from("!HH", frame, u)
    return frame[26:30], frame[30:34], sport, dport, frame[u + 8:], frame[23] == 17


def main():
    args = sys.argv[1:]
    pass_trigger = args[0] == "--pass-trigger"
    if pass_trigger:
        args = args[1:]
    if_client, if_server, window, blocklist = args[0], args[1], float(args[2]), set(args[3:])
    socks = {}
    for name in (if_client, if_server):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
    other = {if_client: socks[if_server], if_server: socks[if_client]}
    blocked = {}  # (client ip, server ip, server port) -> until
    log = lambda msg: print(f"{time.time():.6f} {msg}", flush=True)
    log(f"censor up: {if_client} <-> {if_server}, blocklist {sorted(blocklist)}, residual window {window} s")
    while True:
        ready, _, _ = select.select(list(socks.values()), [], [])
        for s in ready:
            frame, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue
            name = addr[0]
            u = udp4(frame)
            if u is not None:
                src, dst, sport, dport, payload, is_udp = u
                triple = (src, dst, dport) if name == if_client else (dst, src, sport)
                now = time.time()
                if blocked.get(triple, 0) > now:
                    what = f"{len(payload)} bytes" if is_udp else "TCP segment"
                    log(f"drop {'c->s' if name == if_client else 's->c'} {socket.inet_ntoa(src)}:{sport} -> {socket.inet_ntoa(dst)}:{dport} {what} (triple blocked)")
                    continue
                if name == if_client and is_udp:
                    plain = client_initial_plaintext(payload)
                    hello = crypto_at_zero(plain) if plain else None
                    name_seen = sni(hello) if hello else None
                    if name_seen is not None:
                        log(f"Initial {socket.inet_ntoa(src)}:{sport} -> {socket.inet_ntoa(dst)}:{dport} {len(payload)} bytes sni={name_seen}")
                    if name_seen in blocklist:
                        blocked[triple] = now + window
                        if not pass_trigger:
                            log(f"drop c->s {len(payload)} bytes: SNI {name_seen} blocked; triple blocked for {window} s")
                            continue
                        log(f"pass c->s {len(payload)} bytes: SNI {name_seen} blocked; triple blocked for {window} s from now")
            other[name].send(frame)


if __name__ == "__main__":
    main()
