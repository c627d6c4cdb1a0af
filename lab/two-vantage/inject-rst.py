#!/usr/bin/env python3
"""On-path RST injector for the two-vantage lab (runs in the censor namespace).

Used by make-captures.sh, scenario `openssl-rst-injected`.

It sniffs the relay-facing interface of the censor router.  When it sees a TCP
segment from the relay whose payload starts with a TLS handshake record that
holds a ServerHello (bytes 16 03 xx .. .. 02), it forges ONE RST per
connection towards the client:

  * addresses/ports of the relay (src) and the client (dst), i.e. it claims to
    come from the relay;
  * sequence number = the ServerHello segment's sequence number, which is
    exactly what the client expects next (rcv_nxt), so the client's kernel
    accepts it and tears the connection down;
  * IP/TCP fingerprint deliberately unlike the relay's real packets: sent
    straight onto the client-facing link with TTL 64 (genuine relay packets
    have crossed the router and arrive with 63), DF clear (the relay sets DF),
    a random IP ID (the relay's Linux stack counts up per connection) and a
    fixed window (the relay advertises ~64 with wscale 10).

The injector sniffs with an AF_PACKET socket, which sees the ServerHello on
ingress *before* the forward hook where nftables may drop it; the lab's
nftables rule for this scenario drops the real ServerHello so that the RST is
what the client sees (a real injector races the genuine packet; the drop makes
the outcome deterministic).

With --both-ways it also forges a RST towards the relay, claiming to come
from the client (scenario `openssl-rst-both-ways`, as censors that reset both
ends do: Turkmenistan's SNI-triggered RSTs, Iran's): source = the client's
address and port, sequence number = the ServerHello segment's acknowledgement
number (the client's next sequence number, which the relay expects), sent onto
the relay-facing link with the same unlike-the-peer fingerprint (TTL 64 where
the client's packets arrive with 63, DF clear, random IP ID, fixed window).

Every RST sent is logged as one line on stdout.
"""
import argparse
import random
import sys
import time

from scapy.all import IP, TCP, Ether, get_if_hwaddr, sendp, sniff  # type: ignore


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sniff-iface", required=True, help="relay-facing interface")
    ap.add_argument("--out-iface", required=True, help="client-facing interface")
    ap.add_argument("--client-ip", required=True)
    ap.add_argument("--client-mac", required=True)
    ap.add_argument("--both-ways", action="store_true", help="also forge a RST to the relay, claiming to come from the client")
    ap.add_argument("--relay-mac", help="with --both-ways: the relay's MAC (the RST goes out on --sniff-iface)")
    ap.add_argument("--ttl", type=int, default=64)
    ap.add_argument("--window", type=int, default=16384)
    ap.add_argument("--ipid", type=int, default=-1, help="-1 = random")
    ap.add_argument("--ready-file", required=True, help="touched once sniffing")
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args()

    out_mac = get_if_hwaddr(args.out_iface)
    relay_side_mac = get_if_hwaddr(args.sniff_iface)
    if args.both_ways and not args.relay_mac:
        ap.error("--both-ways needs --relay-mac")
    seen = set()

    def is_server_hello(pkt) -> bool:
        if IP not in pkt or TCP not in pkt:
            return False
        if pkt[IP].dst != args.client_ip:
            return False
        payload = bytes(pkt[TCP].payload)
        return len(payload) >= 6 and payload[0] == 0x16 and payload[1] == 0x03 and payload[5] == 0x02

    def handle(pkt) -> None:
        if not is_server_hello(pkt):
            return
        ip, tcp = pkt[IP], pkt[TCP]
        key = (ip.src, tcp.sport, ip.dst, tcp.dport)
        if key in seen:  # one RST per connection; retransmissions are ignored
            return
        seen.add(key)
        ipid = args.ipid if args.ipid >= 0 else random.randint(1, 0xFFFF)
        rst = (
            Ether(src=out_mac, dst=args.client_mac)
            / IP(src=ip.src, dst=ip.dst, ttl=args.ttl, id=ipid, flags=0)
            / TCP(sport=tcp.sport, dport=tcp.dport, flags="R", seq=tcp.seq, ack=0, window=args.window)
        )
        sendp(rst, iface=args.out_iface, verbose=False)
        print(
            f"{time.time():.6f} saw ServerHello {ip.src}:{tcp.sport} -> {ip.dst}:{tcp.dport} "
            f"seq={tcp.seq} ttl={ip.ttl} id={ip.id}; sent RST seq={tcp.seq} ttl={args.ttl} "
            f"id={ipid} df=0 win={args.window}",
            flush=True,
        )
        if args.both_ways:
            ipid2 = args.ipid if args.ipid >= 0 else random.randint(1, 0xFFFF)
            back = (
                Ether(src=relay_side_mac, dst=args.relay_mac)
                / IP(src=ip.dst, dst=ip.src, ttl=args.ttl, id=ipid2, flags=0)
                / TCP(sport=tcp.dport, dport=tcp.sport, flags="R", seq=tcp.ack, ack=0, window=args.window)
            )
            sendp(back, iface=args.sniff_iface, verbose=False)
            print(
                f"{time.time():.6f} sent RST {ip.dst}:{tcp.dport} -> {ip.src}:{tcp.sport} seq={tcp.ack} "
                f"ttl={args.ttl} id={ipid2} df=0 win={args.window} (to the relay, claiming the client)",
                flush=True,
            )

    def ready() -> None:
        with open(args.ready_file, "w") as f:
            f.write("ready\n")

    sniff(
        iface=args.sniff_iface,
        prn=handle,
        store=False,
        timeout=args.duration,
        started_callback=ready,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
