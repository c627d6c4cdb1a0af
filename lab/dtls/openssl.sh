#!/bin/sh
# Makes the OpenSSL DTLS fixtures of test/fixtures/dtls/: real handshakes
# between `openssl s_server` and `openssl s_client` over loopback, captured
# with tcpdump. Run as root; needs openssl 3, tcpdump, tshark.
#   openssl-dtls12.pcap      DTLS 1.2, -mtu 500 and a chain of three 4096-bit
#                            RSA certificates, so the server's Certificate is
#                            fragmented over many records; use_srtp offered
#                            with two profiles; -listen, so the
#                            server answers the first ClientHello with a
#                            HelloVerifyRequest and a cookie.
#   openssl-dtls10.pcap      DTLS 1.0 (-dtls1, security level 0); s_server
#                            always sends a HelloVerifyRequest, and without
#                            -mtu it fragments the Certificate even smaller.
#   *.tshark.json            tshark -T json of the records (reference.sh), the
#                            reference the unit tests compare to.
#   openssl-dtls12.XX.txt    the 1.2 capture as `tcpdump -XX` text.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/dtls"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"

# A root, two intermediates and a leaf, all RSA 4096: the Certificate message is ~6 kB.
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$1" 2>/dev/null; }
key root.key; key int1.key; key int2.key; key leaf.key
openssl req -x509 -new -key root.key -days 3650 -subj "/CN=DTLS Lab Root" -out root.pem
sign() { # name key issuer-cert issuer-key subject ext
  openssl req -new -key "$2" -subj "$5" -out "$1.csr"
  printf '%s\n' "$6" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3" -CAkey "$4" -CAcreateserial -days 3650 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
sign int1 int1.key root.pem root.key "/CN=DTLS Lab Intermediate 1" "basicConstraints=critical,CA:TRUE"
sign int2 int2.key int1.pem int1.key "/CN=DTLS Lab Intermediate 2" "basicConstraints=critical,CA:TRUE"
sign leaf leaf.key int2.pem int2.key "/CN=dtls.example" "subjectAltName=DNS:dtls.example,DNS:www.dtls.example"
cat int2.pem int1.pem root.pem > chain.pem

run() { # name port server-args client-args
  name=$1 port=$2
  tcpdump -i lo -U -s 0 -w "$work/$name.pcap" "udp port $port" 2>/dev/null &
  dump=$!
  sleep 1
  # shellcheck disable=SC2086
  openssl s_server -accept "127.0.0.1:$port" -cert leaf.pem -key leaf.key -cert_chain chain.pem -naccept 1 -quiet $3 \
    >"$name.server.log" 2>&1 &
  server=$!
  sleep 1
  # shellcheck disable=SC2086
  (printf 'hello over DTLS\n'; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$port" -quiet $4 >"$name.client.log" 2>&1 || true
  sleep 1
  kill $server $dump 2>/dev/null || true
  wait $dump 2>/dev/null || true
  cp "$work/$name.pcap" "$out/$name.pcap"
  sh "$here/reference.sh" "$out/$name.pcap" "$port"
}

run openssl-dtls12 24701 "-dtls1_2 -listen -mtu 500 -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80" \
  "-dtls1_2 -mtu 500 -servername dtls.example -use_srtp SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
run openssl-dtls10 24702 "-dtls1 -cipher DEFAULT:@SECLEVEL=0" "-dtls1 -cipher DEFAULT:@SECLEVEL=0 -servername dtls.example"
tcpdump -r "$out/openssl-dtls12.pcap" -nn -XX > "$out/openssl-dtls12.XX.txt" 2>/dev/null
echo "wrote $out"
