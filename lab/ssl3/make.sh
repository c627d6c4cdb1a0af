#!/bin/sh
# Makes test/fixtures/ssl3/: a real SSL 3.0 connection (RSA key exchange, AES-128-CBC-SHA, application data, both
# close_notify alerts) between scapy's TLS automatons (Debian python3-scapy: no other Debian program still speaks
# SSL 3.0), in its own network namespace, with the session's master secret as an NSS key log line.
# Run as root; needs ip, openssl, tcpdump, tshark, /usr/bin/python3 with python3-scapy.
#   ssl3-rsa-aes128-sha.pcap / .keys   the capture and its key log
#   ssl3-rsa-aes128-sha.tshark.json    what tshark decrypts with the key log (Finished, alerts): the reference
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../test/fixtures/ssl3"
work=$(mktemp -d)
ns=q1ssl3$$
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 3650 -subj "/CN=ssl3.example" 2>/dev/null
port=4444
ip netns exec "$ns" tcpdump -i lo -U -s 0 -w "$work/ssl3.pcap" "tcp port $port" 2>/dev/null &
pids="$!"
ip netns exec "$ns" timeout 30 /usr/bin/python3 "$here/server.py" $port cert.pem key.pem >server.log 2>&1 &
pids="$pids $!"
sleep 3
ip netns exec "$ns" timeout 20 /usr/bin/python3 "$here/client.py" $port >client.log 2>&1
sleep 1
for p in $pids; do kill "$p" 2>/dev/null || true; done
sleep 1
name=ssl3-rsa-aes128-sha
cp ssl3.pcap "$out/$name.pcap"
grep '^CLIENT_RANDOM ' client.log > "$out/$name.keys"
tshark -r "$out/$name.pcap" -o "tls.keylog_file:$out/$name.keys" -Y tls -T json -e frame.number -e tls.record.version \
  -e tls.record.content_type -e tls.handshake.type -e tls.alert_message.level -e tls.alert_message.desc \
  > "$out/$name.tshark.json" 2>/dev/null
echo "wrote $out/$name.*"
