#!/bin/sh
# A real Snowflake client and proxy (Debian's snowflake-client and
# snowflake-proxy 2.5.1) in network namespaces, matched by a minimal broker
# (broker/main.go, built offline against Debian's golang-snowflake-dev), with
# tcpdump at both ends: test/fixtures/snowflake/<mode>/{client,proxy}.pcap.
#
#   sfC 10.78.1.2 sfc0 ---- sfm0 10.78.1.1 | sfM | 10.78.2.1 sfm1 ---- sfp0 10.78.2.2 sfP
#                                  broker :8080, relay :8000, STUN :3478
#
# socks-connect.py runs snowflake-client as tor would (managed PT) and makes
# one SOCKS request; the client posts its offer to the broker (/client), the
# proxy's poll (/proxy) gets it, the proxy's answer (/answer) goes back to the
# client, and the two do ICE (STUN) and DTLS on their host candidates. The
# relay in sfM is a TCP listener that accepts and holds (the proxy's
# websocket stays unanswered: the DTLS handshake comes first and is what
# this lab is for).
#
# Mode "pass": nothing in the way. Mode "censor-tspu": sfM runs
# lab/dtls/censor-tspu.nft (Russia's TSPU DTLS byte patterns) and pings once a
# second through it, so the proxy's capture shows it ran.
# Run as root; needs iproute2, nftables, tcpdump, python3, golang-go,
# golang-snowflake-dev, snowflake-client, snowflake-proxy.
set -eu
mode=${1:-pass}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns3.sh"
out="$here/../../test/fixtures/snowflake/$mode"
build=${SF_BUILD:-/tmp/sf-build}
work=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for n in sfC sfM sfP; do ip netns del $n 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out" "$build"

# GOPATH mode against Debian's sources; the import path carries the module's /v2, the directory does not.
gp="$build/gopath/src/git.torproject.org/pluggable-transports/snowflake.git"
mkdir -p "$gp"
ln -sfn /usr/share/gocode/src/git.torproject.org/pluggable-transports/snowflake.git "$gp/v2"
(cd "$here/broker" && GO111MODULE=off GOPATH="$build/gopath:/usr/share/gocode" GOCACHE="$build/cache" GOFLAGS= go build -o "$build/broker" main.go)

netns3 sfC sfM sfP sfc0 sfm0 sfm1 sfp0 10.78.1 10.78.2
if [ "$mode" = censor-tspu ]; then ip netns exec sfM nft -f "$here/../dtls/censor-tspu.nft"; fi

ip netns exec sfM "$build/broker" -addr :8080 >"$work/broker.log" 2>&1 &
pids="$pids $!"
ip netns exec sfM python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8000)); s.listen()
held = []
while True: held.append(s.accept())' &
pids="$pids $!"
# The ICE server of both peers (on each side's router address).
ip netns exec sfM python3 "$here/stun-server.py" 0.0.0.0 3478 &
pids="$pids $!"
sleep 0.5
ip netns exec sfP snowflake-proxy -broker http://10.78.2.1:8080/ -relay ws://10.78.2.1:8000/ -allow-non-tls-relay -stun stun:10.78.2.1:3478 \
  -keep-local-addresses -ephemeral-ports-range 50000:50009 -nat-retest-interval 0s -verbose -unsafe-logging \
  >"$work/proxy.log" 2>&1 &
pids="$pids $!"

# DNS is filtered out: the proxy looks up its default STUN and NAT-probe servers, which the lab cannot reach.
ip netns exec sfC tcpdump -i sfc0 -U -s 0 -w "$work/client.pcap" "(udp and not port 53) or icmp" 2>/dev/null &
d1=$!
ip netns exec sfP tcpdump -i sfp0 -U -s 0 -w "$work/proxy.pcap" "(udp and not port 53) or icmp" 2>/dev/null &
d2=$!
pids="$pids $d1 $d2"
sleep 1
if [ "$mode" = censor-tspu ]; then
  # One ping a second through the censor: the proxy's capture shows it was running while the DTLS vanished.
  ip netns exec sfC ping -q -c 25 -i 1 10.78.2.2 >/dev/null 2>&1 &
  pids="$pids $!"
fi
ip netns exec sfC timeout 60 python3 "$here/socks-connect.py" 25 "$work/state" \
  snowflake-client -url http://10.78.1.1:8080/ -ice stun:10.78.1.1:3478 -keep-local-addresses -unsafe-logging -log "$work/client.log" >"$work/driver.log" 2>&1 || true
sleep 1
kill $d1 $d2 2>/dev/null || true
wait $d1 $d2 2>/dev/null || true
if [ "$mode" = censor-tspu ]; then ip netns exec sfM nft list ruleset > "$out/censor-nft.txt"; fi
cp "$work/client.pcap" "$work/proxy.pcap" "$out/"
# Log lines without their date and time; the host's resolver address (the failed DNS lookups) left out.
for f in broker proxy client driver; do
  sed -e 's/^[0-9\/]* [0-9:]* //' -e 's/ on [0-9.]*:53: read udp [0-9.:]*->[0-9.]*:53:/ on the resolver:/' "$work/$f.log" > "$out/$f.log" 2>/dev/null || true
done
for v in client proxy; do sh "$here/../dtls/reference.sh" "$out/$v.pcap" 0; done
echo "wrote $out"
