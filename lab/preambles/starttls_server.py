#!/usr/bin/env python3
"""Minimal scripted server for lab/preambles/make.sh: speaks the server side of
one STARTTLS-style preamble, then turns the same socket into TLS with Python's
ssl module (OpenSSL underneath: the TLS bytes are a real stack's), reads one
line of application data, answers it and closes.  No Debian package serves
these protocols without a long configuration; the preamble bytes here follow
what `openssl s_client -starttls PROTO` (apps/s_client.c) expects.

Usage: starttls_server.py PROTO PORT CERT KEY [refuse]
  PROTO: smtp imap pop3 ftp xmpp irc nntp sieve ldap postgres
  refuse: answer the STARTTLS command negatively and stay in clear text.
"""
import socket
import ssl
import sys

proto, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
refuse = len(sys.argv) > 5 and sys.argv[5] == 'refuse'

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port))
srv.listen(1)
conn, _ = srv.accept()
f = conn.makefile('rb')


def send(s):
    conn.sendall(s if isinstance(s, bytes) else s.encode())


def line():
    l = f.readline(4096)
    if not l:
        sys.exit(0)
    return l.decode('latin-1').rstrip('\r\n')


def read_exact(n):
    b = f.read(n)
    if len(b) != n:
        sys.exit(0)
    return b


def xml_until(tag):
    # XMPP has no line ends: read until the wanted tag has arrived.
    buf = b''
    while tag.encode() not in buf:
        b = conn.recv(4096)
        if not b:
            sys.exit(0)
        buf += b


if proto == 'smtp':
    send('220 mx.example.test ESMTP lab\r\n')
    while True:
        cmd = line().upper()
        if cmd.startswith('EHLO'):
            send('250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME\r\n')
        elif cmd == 'STARTTLS':
            if refuse:
                send('454 4.7.0 TLS not available due to local problem\r\n')
                continue
            send('220 2.0.0 Ready to start TLS\r\n')
            break
        elif cmd == 'QUIT':
            send('221 2.0.0 Bye\r\n')
            sys.exit(0)
        else:
            send('530 5.7.0 Must issue a STARTTLS command first\r\n')
elif proto == 'imap':
    send('* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] lab ready.\r\n')
    while True:
        tag, _, cmd = line().partition(' ')
        if cmd.upper() == 'CAPABILITY':
            send(f'* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n{tag} OK Capability completed.\r\n')
        elif cmd.upper() == 'STARTTLS':
            send(f'{tag} OK Begin TLS negotiation now.\r\n')
            break
        else:
            send(f'{tag} BAD Error in IMAP command\r\n')
elif proto == 'pop3':
    send('+OK lab ready.\r\n')
    while True:
        cmd = line().upper()
        if cmd == 'CAPA':
            send('+OK\r\nSTLS\r\nUSER\r\n.\r\n')
        elif cmd == 'STLS':
            send('+OK Begin TLS negotiation now.\r\n')
            break
        else:
            send('-ERR Unknown command\r\n')
elif proto == 'ftp':
    send('220 (lab ftpd 1.0)\r\n')
    while True:
        cmd = line().upper()
        if cmd == 'AUTH TLS':
            send('234 Proceed with negotiation.\r\n')
            break
        send('530 Please login with USER and PASS.\r\n')
elif proto == 'nntp':
    send('200 news.example.test InterNetNews NNRP server ready (posting ok)\r\n')
    while True:
        cmd = line().upper()
        if cmd == 'CAPABILITIES':
            send('101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n')
        elif cmd == 'STARTTLS':
            send('382 Continue with TLS negotiation\r\n')
            break
        else:
            send('500 What?\r\n')
elif proto == 'sieve':
    send('"IMPLEMENTATION" "lab sieve"\r\n"SIEVE" "fileinto vacation"\r\n"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "ready."\r\n')
    while True:
        cmd = line().upper()
        if cmd == 'STARTTLS':
            send('OK "Begin TLS negotiation now."\r\n')
            break
        send('NO "Unknown command."\r\n')
elif proto == 'irc':
    while True:
        cmd = line().upper()
        if cmd == 'STARTTLS':
            send(':irc.example.test 670 * :STARTTLS successful, proceed with TLS handshake\r\n')
            break
        send(':irc.example.test 421 * :Unknown command\r\n')
elif proto == 'xmpp':
    xml_until('>')
    send("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' "
         "from='example.test' id='lab1' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
         "<required/></starttls></stream:features>")
    xml_until('<starttls')
    send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
elif proto == 'postgres':
    req = read_exact(8)
    assert req == bytes.fromhex('0000000804d2162f'), req.hex()
    send(b'S')
elif proto == 'ldap':
    # LDAPMessage { messageID, extendedReq [APPLICATION 23] { requestName [0] "1.3.6.1.4.1.1466.20037" } }
    hdr = read_exact(2)
    body = read_exact(hdr[1])
    msgid = body[2]
    oid = b'1.3.6.1.4.1.1466.20037'
    # extendedResp [APPLICATION 24] { resultCode success, matchedDN "", diagnosticMessage "", responseName [10] oid }
    resp = bytes([0x0a, 1, 0, 0x04, 0, 0x04, 0, 0x8a, len(oid)]) + oid
    op = bytes([0x78, len(resp)]) + resp
    msg = bytes([0x02, 1, msgid]) + op
    send(bytes([0x30, len(msg)]) + msg)
else:
    sys.exit(f'unknown protocol {proto}')

tls = ctx.wrap_socket(conn, server_side=True)
try:
    data = tls.recv(4096)
    tls.sendall(b'lab: got ' + str(len(data)).encode() + b' bytes over TLS\n')
    tls.recv(4096)  # the client's close_notify
except (ssl.SSLError, OSError):
    pass
conn.close()
