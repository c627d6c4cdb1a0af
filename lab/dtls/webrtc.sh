#!/bin/sh
# A real WebRTC session (test/fixtures/dtls/webrtc-pion.pcap): two
# pion/webrtc v3 peers (lab/dtls/webrtc/main.go, built offline against
# Debian's golang-github-pion-webrtc.v3-dev) in namespace dtlW, ICE over
# loopback host candidates. On one 5-tuple: STUN binding requests and
# responses (USERNAME ufrags, XOR-MAPPED-ADDRESS), the DTLS handshake (the
# answerer is the DTLS client: it sends the ClientHello although the offerer
# spoke first), then the data channel's SCTP inside DTLS application data.
# Run as root; needs golang-go, golang-github-pion-webrtc.v3-dev, tcpdump, tshark.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/dtls"
build=${DTL_BUILD:-/tmp/dtl-pion-build}
work=$(mktemp -d)
chmod 777 "$work"
cleanup() { ip netns del dtlW 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$build"
# Debian ships pion/webrtc v3 at github.com/pion/webrtc: an overlay GOPATH gives it its /v3 import path.
mkdir -p "$build/overlay/src/github.com/pion/webrtc"
ln -sfn /usr/share/gocode/src/github.com/pion/webrtc "$build/overlay/src/github.com/pion/webrtc/v3"
(cd "$here/webrtc" && GO111MODULE=off GOPATH="$build/overlay:/usr/share/gocode" GOCACHE="$build/cache" GOFLAGS= go build -o "$build/webrtc-pair" main.go)
ip netns add dtlW
ip -n dtlW link set lo up
ip netns exec dtlW tcpdump -i lo -U -s 0 -w "$work/w.pcap" udp 2>/dev/null &
dump=$!
sleep 2
ip netns exec dtlW "$build/webrtc-pair"
sleep 1
kill $dump 2>/dev/null || true
wait $dump 2>/dev/null || true
cp "$work/w.pcap" "$out/webrtc-pion.pcap"
sh "$here/reference.sh" "$out/webrtc-pion.pcap" 0
echo "wrote $out/webrtc-pion.pcap"
