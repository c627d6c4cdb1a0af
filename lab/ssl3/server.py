# SSL 3.0 server: scapy's TLS server automaton (python3-scapy), echoing what the client sends.
import sys
from scapy.all import load_layer
load_layer("tls")
from scapy.layers.tls.automaton_srv import TLSServerAutomaton
from scapy.layers.tls.crypto.suites import TLS_RSA_WITH_AES_128_CBC_SHA

t = TLSServerAutomaton(server="127.0.0.1", sport=int(sys.argv[1]), mycert=sys.argv[2], mykey=sys.argv[3],
                       preferred_ciphersuite=TLS_RSA_WITH_AES_128_CBC_SHA, is_echo_server=True, max_client_idle_time=3)
t.run()
