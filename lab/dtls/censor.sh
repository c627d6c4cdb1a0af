#!/bin/sh
# Two-vantage DTLS captures through a censor (test/fixtures/dtls/censor-tspu/):
# a pion/dtls client and server (pion.sh builds them; pion is what Snowflake
# uses) in two network namespaces, routed through a third whose nftables drop
# datagrams matching Russia's TSPU DTLS byte patterns (censor-tspu.nft).
#
#   dtlC 10.77.1.2 dtlc0 ---- dtlm0 10.77.1.1 | dtlM | 10.77.2.1 dtlm1 ---- dtls0 10.77.2.2 dtlS
#
# tcpdump runs on the client's interface (client.pcap) and the server's
# (relay.pcap), with a ping a second through the censor so the relay's
# capture visibly covers the time. What happens: pion's ClientHello carries 00 1d 00 17 00 18 at
# offset 0x6e, so the 2022 rule drops it and every retransmission of it; the
# server never hears from the client and the client gives up after its 10 s
# handshake timeout. The 2021 rule (the ServerHello pattern) matches nothing:
# Debian's pion 2.2.6 no longer sends supported_groups in its ServerHello.
# censor-nft.txt has the rule counters after the run.
# Run as root; needs iproute2, nftables, tcpdump, Go (pion.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns3.sh"
out="$here/../../test/fixtures/dtls/censor-tspu"
work=$(mktemp -d)
cleanup() {
  for n in dtlC dtlM dtlS; do ip netns del $n 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
bin=$(sh "$here/pion.sh" --build-only)

netns3 dtlC dtlM dtlS dtlc0 dtlm0 dtlm1 dtls0 10.77.1 10.77.2
ip netns exec dtlM nft -f "$here/censor-tspu.nft"

ip netns exec dtlC tcpdump -i dtlc0 -U -s 0 -w "$work/client.pcap" "udp port 4443 or icmp" 2>/dev/null &
d1=$!
ip netns exec dtlS tcpdump -i dtls0 -U -s 0 -w "$work/relay.pcap" "udp port 4443 or icmp" 2>/dev/null &
d2=$!
sleep 1
ip netns exec dtlS timeout 15 "$bin" server 10.77.2.2:4443 >"$work/server.log" 2>&1 &
server=$!
sleep 0.5
# One ping a second through the censor: the relay's capture shows it was running while the ClientHellos vanished.
ip netns exec dtlC ping -q -c 12 -i 1 10.77.2.2 >/dev/null 2>&1 &
ip netns exec dtlC "$bin" client 10.77.2.2:4443 >"$work/client.log" 2>&1 || true
sleep 1
kill $server $d1 $d2 2>/dev/null || true
wait $d1 $d2 2>/dev/null || true
ip netns exec dtlM nft list ruleset > "$out/censor-nft.txt"
cp "$work/client.pcap" "$work/relay.pcap" "$work/client.log" "$out/"
for v in client relay; do sh "$here/reference.sh" "$out/$v.pcap" 4443; done
echo "wrote $out"
