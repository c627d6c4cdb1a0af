#!/usr/bin/env python3
"""A STUN binding responder (RFC 5389 §7.3, XOR-MAPPED-ADDRESS only) for the
Snowflake lab: both peers ask their ICE server for their reflexive address
before they send an offer or answer; without an answer each waits for its
gathering timeout. usage: stun-server.py ADDRESS PORT"""
import socket
import struct
import sys

MAGIC = 0x2112A442
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, (host, port) = s.recvfrom(2048)
    if len(data) < 20:
        continue
    kind, length, magic = struct.unpack('>HHI', data[:8])
    if kind != 0x0001 or magic != MAGIC:
        continue  # only binding requests
    xaddr = struct.unpack('>I', socket.inet_aton(host))[0] ^ MAGIC
    attr = struct.pack('>HHBBHI', 0x0020, 8, 0, 1, port ^ (MAGIC >> 16), xaddr)
    s.sendto(struct.pack('>HHI', 0x0101, len(attr), MAGIC) + data[8:20] + attr, (host, port))
