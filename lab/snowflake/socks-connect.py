#!/usr/bin/env python3
"""Drives snowflake-client the way tor does, without tor: starts it as a
managed pluggable transport (the TOR_PT_* environment of pt-spec.txt), reads
the SOCKS address from its CMETHOD line and asks it, over SOCKS5, for a
connection to the bridge. That request is what makes the client fetch a
proxy from the broker and open the WebRTC (DTLS) connection to it. Then it
writes a few bytes (what tor would send first), waits HOLD seconds and stops.

usage: socks-connect.py HOLD_SECONDS STATE_DIR snowflake-client [flags...]
"""
import os
import socket
import struct
import subprocess
import sys
import time

hold, state, argv = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
env = dict(os.environ, TOR_PT_MANAGED_TRANSPORT_VER='1', TOR_PT_CLIENT_TRANSPORTS='snowflake',
           TOR_PT_STATE_LOCATION=state, TOR_PT_EXIT_ON_STDIN_CLOSE='1')
pt = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
addr = None
for line in pt.stdout:
    print('pt:', line.rstrip(), flush=True)
    if line.startswith('CMETHOD snowflake socks5 '):
        host, port = line.split()[3].rsplit(':', 1)
        addr = (host, int(port))
    if line.startswith('CMETHODS DONE') or 'ERROR' in line:
        break
if addr is None:
    sys.exit('snowflake-client gave no SOCKS address')
s = socket.create_connection(addr, timeout=30)
s.sendall(b'\x05\x01\x00')                      # SOCKS5, one method: no authentication
if s.recv(2) != b'\x05\x00':
    sys.exit('SOCKS method refused')
# CONNECT to the bridge address (snowflake ignores it: the broker picks the proxy, the proxy the relay).
s.sendall(b'\x05\x01\x00\x01' + socket.inet_aton('192.0.2.3') + struct.pack('>H', 80))
reply = s.recv(10)
print('socks reply:', reply.hex(), flush=True)
if len(reply) < 2 or reply[1] != 0:
    sys.exit('SOCKS CONNECT refused')
s.sendall(b'snowflake lab: first bytes through the data channel\n')
s.settimeout(1)
end = time.time() + hold
while time.time() < end:
    try:
        if s.recv(4096) == b'':
            break
    except socket.timeout:
        pass
s.close()
pt.stdin.close()
try:
    pt.wait(timeout=5)
except subprocess.TimeoutExpired:
    pt.terminate()
