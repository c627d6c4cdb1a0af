#!/bin/sh
# Makes the QUIC 1-RTT / 0-RTT fixtures of issue #14: real QUIC v1 connections between ngtcp2's GnuTLS
# examples (Debian 12 packages ngtcp2-client, ngtcp2-server 0.12), each in its own network namespace
# (q1…, its own loopback, so no other traffic is captured), with the client's key log (SSLKEYLOGFILE).
# Run as root; needs ip, ethtool, openssl, tcpdump, tshark. Arguments: which captures to make (default all).
#   ngtcp2-keyupdate.pcap/.keys   one connection: the client asks for a 64 KiB file and updates its keys
#                                 (--key-update) after the handshake, so the server follows (RFC 9001 §6): 1-RTT
#                                 packets in key phases 0 and 1 from both sides, NEW_CONNECTION_ID,
#                                 HANDSHAKE_DONE, the NewSessionTicket in a 1-RTT CRYPTO frame, CONNECTION_CLOSE.
#   ngtcp2-0rtt.pcap/.keys        a resumed connection that sends its request as 0-RTT data: the client's first
#                                 connection saved its session ticket and the server's transport parameters
#                                 (--session-file, --tp-file); only the second connection is captured.
#   ngtcp2-migrate.pcap/.keys     the client changes its local port after the handshake (--change-local-addr) and
#                                 continues on a connection ID from the server's NEW_CONNECTION_ID frames.
#   ngtcp2-0rtt.XX.txt            the 0-RTT capture as tcpdump -XX text (hovers per packet space, test/lsp).
#   *.1rtt.tshark.json            what tshark decrypts with the key log, per QUIC packet: the tests' reference
#                                 (reference-1rtt.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/quic"
work=$(mktemp -d)
ns=q1lab$$
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# ngtcp2 sends with UDP GSO: on loopback the capture would show one super-datagram of many QUIC packets
# (what no NIC puts on a wire); with segmentation offload off the kernel splits them before tcpdump sees them.
ip netns exec "$ns" ethtool -K lo tx-udp-segmentation off >/dev/null
in_ns() { ip netns exec "$ns" "$@"; }
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
  -days 3650 -subj "/CN=quic.example" -addext "subjectAltName=DNS:quic.example" 2>/dev/null
echo "hello over QUIC" > index.html
# Seeded, so a re-run serves the same bytes (the capture still differs: keys and CIDs are random).
openssl enc -aes-128-ctr -K 00 -iv 00 -nosalt -in /dev/zero 2>/dev/null | head -c 65536 > big.bin
port=4433
ip netns exec "$ns" gtlsserver -q -d "$work" 127.0.0.1 $port key.pem cert.pem >server.log 2>&1 &
pids="$!"
sleep 1

capture() { # name, URI, then the client's options
  name=$1
  uri=$2
  shift 2
  ip netns exec "$ns" tcpdump -i lo -U -s 0 -w "$work/$name.pcap" "udp port $port" 2>/dev/null &
  dump=$!
  pids="$pids $dump"
  sleep 1
  in_ns env SSLKEYLOGFILE="$work/$name.keys" timeout 15 gtlsclient -q --exit-on-all-streams-close "$@" 127.0.0.1 $port "$uri" \
    >"$name.client.log" 2>&1 || { echo "client $name failed:"; tail -5 "$name.client.log"; }
  sleep 1
  kill $dump 2>/dev/null || true
  wait $dump 2>/dev/null || true
  cp "$name.pcap" "$out/ngtcp2-$name.pcap"
  cp "$name.keys" "$out/ngtcp2-$name.keys"
}

for what in ${*:-keyupdate 0rtt migrate}; do
  case $what in
    keyupdate) capture keyupdate https://quic.example/big.bin --key-update=5ms ;;
    0rtt)
      # First connection (not captured) stores the ticket and transport parameters; the second resumes with 0-RTT.
      in_ns timeout 15 gtlsclient -q --exit-on-all-streams-close --session-file=sess.pem --tp-file=tp.pem \
        127.0.0.1 $port https://quic.example/index.html >first.client.log 2>&1 || true
      capture 0rtt https://quic.example/index.html --session-file=sess.pem --tp-file=tp.pem ;;
    # The client moves to a new local port after the handshake and sends to a connection ID the server issued in
    # NEW_CONNECTION_ID: only the key log shows that ID, so only with it is the new path the same connection.
    migrate) capture migrate https://quic.example/index.html --change-local-addr=5ms --delay-stream=50ms ;;
  esac
done

"$here/reference-1rtt.sh" ${*:-keyupdate 0rtt migrate}
[ -f "$out/ngtcp2-0rtt.pcap" ] && tcpdump -r "$out/ngtcp2-0rtt.pcap" -nn -XX > "$out/ngtcp2-0rtt.XX.txt" 2>/dev/null
echo "wrote ${*:-keyupdate 0rtt migrate} in $out"
