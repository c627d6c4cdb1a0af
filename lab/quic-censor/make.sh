#!/bin/sh
# Makes test/fixtures/quic-censor/: QUIC v1 connections between ngtcp2's GnuTLS
# examples (Debian ngtcp2-client/ngtcp2-server: gtlsclient, gtlsserver) through
# a censor that blocks by the SNI it decrypts from client Initials, captured at
# both ends at the same time. Run as root; needs ip, ethtool, tcpdump, openssl,
# python3 with python3-cryptography.
#
#   udpc (client, 10.77.0.1) -- udpx (censor, a userspace bridge: censor.py) -- udps (server, 10.77.0.2:443)
#
# The censor (censor.py) drops a client Initial whose SNI is on its list and then
# blocks the client-server-port triple both ways for $WINDOW seconds. The Great
# Firewall's residual QUIC blocking lasts about 180 s (Zohaib et al., USENIX
# Security 2025); the lab uses a few seconds so it runs quickly.
# Four connections, each from a new client port (a new 4-tuple, the same triple):
#   1. SNI allowed.example  passes                          -> pair, verdict none
#   2. SNI blocked.example  every Initial dropped           -> relay: null, drop client-to-relay, ClientHello
#   3. SNI allowed.example  inside the window: vanishes     -> relay: null, drop (residual blocking)
#   3b. TLS over TCP (openssl s_client) to the same server and port, inside the window: its SYNs vanish
#                                                           -> relay: null, drop client-to-relay (TCP)
#   4. SNI allowed.example  after the window: passes again  -> pair, verdict none
# Outputs, per censor mode, in sni-drop/ (the Initial that names blocked.example is dropped) and in
# gfw-pass-trigger/ (censor.py --pass-trigger: that Initial reaches the server, everything after it on the
# triple is dropped, as the GFW does; connection 2 is then a pair: drop relay-to-client, ServerHello):
# client.pcap, relay.pcap (the server's end), censor.log.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MODE:-}" ]; then # both modes, one after the other
  for m in sni-drop gfw-pass-trigger; do MODE=$m OUT="${OUT:-$here/../../test/fixtures/quic-censor}/$m" sh "$0"; done
  exit 0
fi
out=${OUT:-"$here/../../test/fixtures/quic-censor/$MODE"}
WINDOW=${WINDOW:-6}
work=$(mktemp -d)
cleanup() {
  for p in $(cat "$work"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for ns in udpc udpx udps; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$work" /etc/netns/udpc
}
trap cleanup EXIT INT TERM
mkdir -p "$out"

for ns in udpc udpx udps; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add udpc0 netns udpc type veth peer name udpxc netns udpx
ip link add udps0 netns udps type veth peer name udpxs netns udpx
ip -n udpc addr add 10.77.0.1/24 dev udpc0
ip -n udps addr add 10.77.0.2/24 dev udps0
for pair in udpc:udpc0 udps:udps0 udpx:udpxc udpx:udpxs; do
  ns=${pair%%:*} dev=${pair#*:}
  ip -n "$ns" link set "$dev" up
  # The bridge resends frames as read: checksums must be in them, and no offload may join datagrams.
  ip netns exec "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
done

# gtlsclient sends the host name it connects to as SNI (its --sni option does not reach GnuTLS in 0.12):
# the client namespace resolves both names to the server (ip netns exec bind-mounts /etc/netns/NS/hosts).
mkdir -p /etc/netns/udpc
printf '10.77.0.2 allowed.example blocked.example\n' > /etc/netns/udpc/hosts

cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 3650 -subj "/CN=allowed.example" -addext "subjectAltName=DNS:allowed.example,DNS:blocked.example" 2>/dev/null
echo "hello over QUIC" > index.html

flag=; [ "$MODE" = gfw-pass-trigger ] && flag=--pass-trigger
ip netns exec udpx python3 "$here/censor.py" $flag udpxc udpxs "$WINDOW" blocked.example > censor.log 2>&1 &
echo $! > censor.pid
ip netns exec udpc tcpdump -i udpc0 -U -s 0 -w client.pcap port 443 2>/dev/null &
echo $! > dumpc.pid
ip netns exec udps tcpdump -i udps0 -U -s 0 -w relay.pcap port 443 2>/dev/null &
echo $! > dumps.pid
ip netns exec udps gtlsserver -q -d "$work" 10.77.0.2 443 key.pem cert.pem > server.log 2>&1 &
echo $! > server.pid
ip netns exec udps openssl s_server -quiet -accept 10.77.0.2:443 -key key.pem -cert cert.pem > tcpserver.log 2>&1 &
echo $! > tcpserver.pid
sleep 1.5

fetch() { # SNI, seconds to give up after
  ip netns exec udpc timeout "$2" gtlsclient -q --exit-on-all-streams-close \
    "$1" 443 "https://$1/index.html" >> client.log 2>&1 || true
}
fetch allowed.example 5      # 1
sleep 0.5
start=$(date +%s.%N)
fetch blocked.example 2.5    # 2: the Initial and its retransmissions all dropped
fetch allowed.example 1.2    # 3: same triple, inside the window
# 3b: TLS over TCP to the same server and port, still inside the window.
echo | ip netns exec udpc timeout 1.5 openssl s_client -connect 10.77.0.2:443 -servername allowed.example > tcpclient.log 2>&1 || true
# 4: wait out the window (counted from the last blocked Initial, at most 2.5 s after $start).
sleep "$(python3 -c "import time; print(max(0.2, $start + 2.5 + $WINDOW + 0.5 - time.time()))")"
fetch allowed.example 5
sleep 1
kill "$(cat dumpc.pid)" "$(cat dumps.pid)" 2>/dev/null || true
sleep 0.5
cp client.pcap relay.pcap censor.log "$out/"
echo "wrote $out:"; cat censor.log
