#!/bin/sh
# Builds lab/dtls/pion/main.go offline against Debian's pion/dtls v2
# (apt-get install golang-go golang-github-pion-dtls.v2-dev: GOPATH mode,
# GO111MODULE=off) and captures a pion client and server over loopback
# (test/fixtures/dtls/pion-dtls12.pcap, with its tshark reference).
# With --build-only it prints the binary's path and stops (censor.sh uses it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/dtls"
build=${DTL_BUILD:-/tmp/dtl-pion-build}
mkdir -p "$build"
(cd "$here/pion" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$build/cache" GOFLAGS= go build -o "$build/pion-dtls" main.go)
if [ "${1:-}" = --build-only ]; then echo "$build/pion-dtls"; exit 0; fi
port=24703
tcpdump -i lo -U -s 0 -w "$build/pion.pcap" "udp port $port" 2>/dev/null &
dump=$!
sleep 1
"$build/pion-dtls" server 127.0.0.1:$port >"$build/server.log" 2>&1 &
server=$!
sleep 0.5
timeout 15 "$build/pion-dtls" client 127.0.0.1:$port
sleep 1
kill $dump 2>/dev/null || true
wait $dump 2>/dev/null || true
wait $server 2>/dev/null || true
cp "$build/pion.pcap" "$out/pion-dtls12.pcap"
sh "$here/reference.sh" "$out/pion-dtls12.pcap" $port
echo "wrote $out/pion-dtls12.pcap"
