# SSL 3.0 client: scapy's TLS client automaton (python3-scapy), RSA key exchange with AES-128-CBC-SHA, one line
# of application data, then close_notify. Prints the NSS key log line of the session (scapy writes no key log).
import sys
from scapy.all import load_layer
load_layer("tls")
from scapy.layers.tls.automaton_cli import TLSClientAutomaton
from scapy.layers.tls.handshake import TLSClientHello
from scapy.layers.tls.crypto.suites import TLS_RSA_WITH_AES_128_CBC_SHA

# The automaton's `ciphersuite` only applies to TLS 1.3: the suite is set in the ClientHello it sends.
hello = TLSClientHello(version=0x0300, ciphers=[TLS_RSA_WITH_AES_128_CBC_SHA.val])
t = TLSClientAutomaton(server="127.0.0.1", dport=int(sys.argv[1]), version="sslv3", client_hello=hello,
                       data=[b"hello over SSL 3.0\n", b"quit"])
t.run()
s = t.cur_session
print("CLIENT_RANDOM %s %s" % (s.client_random.hex(), s.master_secret.hex()))
