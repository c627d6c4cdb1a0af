#!/usr/bin/env bash
# test/fixtures/bigcert/sans-10000.pcap: a TLS 1.2 handshake (openssl s_server
# and s_client in a private network namespace, tcpdump on its loopback) whose
# server certificate has 10,000 short subject alternative names (hN.t, about 95 kB:
# under OpenSSL's 100 KiB limit for a client's certificate list): real
# bytes that X.509 decoders with a node limit refuse. The key is made fresh
# (EC P-256) and not kept; the capture is gzipped (it compresses well).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/../../test/fixtures/bigcert"
NS=hi-bigcert
WORK=$(mktemp -d /tmp/hibig.XXXXXX)
SRV=""; CAP=""
cleanup() { for p in $SRV $CAP; do kill "$p" 2>/dev/null || true; done; ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$OUT"
{
  printf '[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\n[dn]\nCN=many-names.example.test\nO=Handshake Inspector lab\n[ext]\nsubjectAltName=@alt\n[alt]\n'
  for i in $(seq 1 10000); do printf 'DNS.%d=h%d.t\n' "$i" "$i"; done
} > "$WORK/req.cnf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -config "$WORK/req.cnf" -days 7300 -set_serial 10000 2>/dev/null
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip netns exec "$NS" ip link set lo mtu 1500
ip netns exec "$NS" ip link set lo gso_max_segs 1 2>/dev/null || true
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" tcpdump -i lo -B 65536 -U --immediate-mode -w "$WORK/sans-10000.pcap" tcp port 4450 2>"$WORK/tcpdump.err" & CAP=$!
for i in $(seq 50); do grep -q listening "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$NS" openssl s_server -accept 4450 -tls1_2 -cert "$WORK/cert.pem" -key "$WORK/key.pem" -naccept 1 -quiet >/dev/null 2>&1 & SRV=$!
for i in $(seq 50); do ip netns exec "$NS" ss -ltn | grep -q ':4450 ' && break; sleep 0.1; done
printf 'hello\n' | ip netns exec "$NS" timeout 10 openssl s_client -connect 127.0.0.1:4450 -servername many-names.example.test >/dev/null 2>&1 || true
sleep 1; kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true; CAP=""
gzip -9 -c "$WORK/sans-10000.pcap" > "$OUT/sans-10000.pcap.gz"
# Reference: the certificate's DER length and SAN count as openssl sees them.
{
  printf 'der_bytes\t%s\n' "$(openssl x509 -in "$WORK/cert.pem" -outform DER | wc -c)"
  printf 'san_count\t%s\n' "$(openssl x509 -in "$WORK/cert.pem" -noout -ext subjectAltName | grep -o 'DNS:' | wc -l)"
} > "$OUT/sans-10000.reference.tsv"
ls -la "$OUT"
