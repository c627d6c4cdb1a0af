#!/usr/bin/env bash
# make-captures.sh: real two-vantage captures of TLS / Tor handshakes, with
# and without a censor on the path.
#
# Topology (three network namespaces on this host, joined by veth pairs,
# MTU 1500, one routed hop):
#
#   hi-client                 hi-censor (router, ip_forward=1)            hi-relay
#   10.66.1.2 eth0 ------ to-client 10.66.1.1 | 10.66.2.1 to-relay ------ eth0 10.66.2.2
#
# tcpdump runs at the same time on the client's eth0 ("client.pcap") and on the
# relay's eth0 ("relay.pcap"); one host clock for both.  The censor is
# nftables in hi-censor (plus, in one scenario, a scapy RST injector).
#
# Scenarios (output: test/fixtures/two-vantage/NAME/):
#   openssl-pass              s_server (TLS 1.2, DHE-RSA-AES256-SHA, Tor-2012-like
#                             certificate CN www.<random>.net issued by
#                             www.<random>.com, 1024-bit RSA and DH so that the
#                             whole server flight fits in one segment, as Tor's
#                             did) <- s_client (OpenSSL's default offer, SNI
#                             www.<random>.com); no interference; one handshake
#                             + two short lines echoed back (s_server -rev)
#   openssl-drop-serverhello  censor-kz-drop.nft: the segment carrying the
#                             ServerHello is dropped, then the whole connection
#                             is blackholed; s_client times out (timeout 20)
#   openssl-rst-injected      censor-serverhello-rst.nft drops the ServerHello
#                             and inject-rst.py forges a RST to the client
#                             (TTL 64, no DF, random IP ID, window 16384)
#   tor-drop-serverhello      real Tor bridge (TLS capped at 1.2 by
#                             relay-openssl.cnf) and Tor client; kz-drop censor
#   tor-obfs4-pass            the same bridge behind obfs4proxy, kz-drop censor
#                             still active; obfs4 has no ServerHello in clear,
#                             so it passes; ~20 s of client bootstrap
#   openssl-pass-natted       like openssl-pass, the router masquerades the
#                             client to 10.66.2.1 and maps its source port
#                             into 20000-20999 (censor-nat.nft)
#
# Each scenario directory gets: client.pcap, relay.pcap (snaplen 0, at most
# $MAX_PKTS packets each), client/relay.tcpdump-X.txt
# (TZ=UTC tcpdump -nn -tttt -X -r), censor-nft.txt (`nft list ruleset` in the
# censor after the run, i.e. with counters), README.md (what was done, what a
# correct analysis concludes, facts of this run measured with tshark) and the
# logs/configs of the programs.  openssl-drop-serverhello also gets
# anonymised dumps (*.anon.tcpdump-X.txt, different placeholder words in the
# two views) and `tshark -r -x` dumps (*.tshark-x.txt).  Should a pair exceed
# 190 KB (only the obfs4 scenario could) both files are cut with editcap at the
# same instant, in a quiet gap, and the README says so.
#
# Files beside this script: censor-kz-drop.nft (the sample's censor),
# censor-serverhello-rst.nft + inject-rst.py (RST injector), censor-nat.nft,
# relay-openssl.cnf (caps the Tor bridge's TLS at 1.2).
#
# Usage:   sudo lab/two-vantage/make-captures.sh [SCENARIO ...]   (default: all)
# Env:     OUT=dir        output root (default: <repo>/test/fixtures/two-vantage)
#          KEEP_WORK=1    keep the temporary work directory (keys, tor data)
#          MAX_PKTS=n     tcpdump -c per capture (default 400)
#          TRIM_BUDGET=n  size above which a pair is cut (default 190000 bytes)
# Needs:   root; bash, iproute2 (ip, ss), nftables, tcpdump, tshark + editcap, ethtool,
#          openssl, tor, obfs4proxy, python3 with scapy.  On Debian:
#          apt-get install -y iproute2 nftables tcpdump tshark ethtool openssl \
#                             tor obfs4proxy python3-scapy
#
# Properties:
#  * Idempotent: namespaces left over from an aborted run are deleted first,
#    each scenario gets freshly created namespaces (clean conntrack and nft
#    state), and each scenario directory is rewritten from scratch.
#  * No traffic leaves the lab: the namespaces have no default route (only
#    10.66.0.0/16 via the router) and no link to the host's network; IPv6 is
#    disabled in them; neighbour entries are static (so no ARP in captures).
#  * A trap on EXIT/INT/TERM stops every process this script started (by PID,
#    plus whatever still runs inside the three namespaces, e.g. obfs4proxy
#    children of tor) and deletes the namespaces, even on failure.
#  * Checksum/segmentation offloads are off on all veths, so the captures hold
#    wire-sized segments with correct checksums, as on a real link.
#  * The run ends with tshark checks of every pair; exit status 1 if any fails.
#  * Runtime 2-3 minutes (dominated by the 20 s client runs and by tshark).
#  * Certificates, DH group and Tor identities are new on every run, so the
#    fixtures change whenever the script is re-run.

set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$REPO/test/fixtures/two-vantage}
MAX_PKTS=${MAX_PKTS:-400}

# NS_PREFIX=fnd (or any) runs the lab beside another run of it without sharing namespaces.
NS_C=${NS_PREFIX:-hi}-client
NS_X=${NS_PREFIX:-hi}-censor
NS_R=${NS_PREFIX:-hi}-relay
CLIENT_IP=10.66.1.2
CENSOR_C_IP=10.66.1.1
CENSOR_R_IP=10.66.2.1
RELAY_IP=10.66.2.2
MAC_CLIENT=02:66:01:00:00:02
MAC_CENSOR_C=02:66:01:00:00:01
MAC_CENSOR_R=02:66:02:00:00:01
MAC_RELAY=02:66:02:00:00:02
CIPHER=DHE-RSA-AES256-SHA

ALL_SCENARIOS=(openssl-pass openssl-drop-serverhello openssl-rst-injected openssl-rst-both-ways tor-drop-serverhello tor-obfs4-pass openssl-pass-natted)

PIDS=()          # every background process we started
CAP_C='' CAP_R=''
WORK=''
TRIM_NOTE=''
FAILED=0

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
kill_pid() { # pid [signal]: signal, wait up to 3 s, then SIGKILL (no reaping)
  local pid=$1 sig=${2:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

forget_pid() { local p keep=(); for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

stop_pid() { # pid [signal]: stop one of our children and reap it
  # (only children not yet reaped are signalled, so a PID cannot have been reused)
  kill_pid "$@"
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

teardown_lab() {
  local pid ns
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
  for ns in "$NS_C" "$NS_X" "$NS_R"; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      # processes still inside our own namespaces (e.g. obfs4proxy started by tor)
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill_pid "$pid"; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  teardown_lab
  if [[ -n $WORK && -d $WORK ]]; then
    if [[ ${KEEP_WORK:-0} == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM
on_err() { log "failed at line $1: $2"; }
trap 'on_err $LINENO "$BASH_COMMAND"' ERR

# ---------------------------------------------------------------- helpers
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

need() {
  local missing=() c
  local tools=(ip ss nft tcpdump tshark editcap ethtool openssl timeout sed awk)
  # Tor and obfs4proxy only for the Tor scenarios: the openssl ones run without them.
  [[ " $* " == *" tor-"* ]] && tools+=(tor obfs4proxy)
  for c in "${tools[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (apt-get install -y iproute2 nftables tcpdump tshark ethtool openssl tor obfs4proxy)"
  [[ $(id -u) == 0 ]] || die "must run as root (network namespaces, tcpdump, nftables)"
  PY=''
  local p
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import scapy.all' >/dev/null 2>&1; then PY=$p; break; fi
  done
  [[ -n $PY ]] || die "no python3 with scapy (apt-get install -y python3-scapy)"
}

nap() { sleep "$1" & wait $!; }   # interruptible sleep: traps run at once

wait_for() { # timeout-seconds description command...
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || die "timed out waiting for $what"
    sleep 0.2
  done
}

listening() { # ns addr:port
  nsx "$1" ss -Hltn "src $2" | grep -q LISTEN
}

setup_lab() {
  teardown_lab
  local ns
  for ns in "$NS_C" "$NS_X" "$NS_R"; do
    ip netns add "$ns"
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    nsx "$ns" ip link set lo up
  done
  ip link add eth0 netns "$NS_C" address "$MAC_CLIENT" mtu 1500 type veth \
     peer name to-client netns "$NS_X" address "$MAC_CENSOR_C" mtu 1500
  ip link add eth0 netns "$NS_R" address "$MAC_RELAY" mtu 1500 type veth \
     peer name to-relay netns "$NS_X" address "$MAC_CENSOR_R" mtu 1500
  local spec dev
  for spec in "$NS_C:eth0" "$NS_X:to-client" "$NS_X:to-relay" "$NS_R:eth0"; do
    ns=${spec%%:*} dev=${spec#*:}
    # wire-like segments with correct checksums in the captures
    nsx "$ns" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    nsx "$ns" ip link set "$dev" up
  done
  nsx "$NS_C" ip addr add "$CLIENT_IP/24" dev eth0
  nsx "$NS_X" ip addr add "$CENSOR_C_IP/24" dev to-client
  nsx "$NS_X" ip addr add "$CENSOR_R_IP/24" dev to-relay
  nsx "$NS_R" ip addr add "$RELAY_IP/24" dev eth0
  # lab-only routes: nothing can be sent beyond 10.66.0.0/16
  nsx "$NS_C" ip route add 10.66.0.0/16 via "$CENSOR_C_IP" dev eth0
  nsx "$NS_R" ip route add 10.66.0.0/16 via "$CENSOR_R_IP" dev eth0
  nsx "$NS_X" sysctl -qw net.ipv4.ip_forward=1
  # static neighbours: no ARP in the captures
  nsx "$NS_C" ip neigh replace "$CENSOR_C_IP" lladdr "$MAC_CENSOR_C" dev eth0 nud permanent
  nsx "$NS_X" ip neigh replace "$CLIENT_IP" lladdr "$MAC_CLIENT" dev to-client nud permanent
  nsx "$NS_X" ip neigh replace "$RELAY_IP" lladdr "$MAC_RELAY" dev to-relay nud permanent
  nsx "$NS_R" ip neigh replace "$CENSOR_R_IP" lladdr "$MAC_CENSOR_R" dev eth0 nud permanent
}

spawn() { # ns logfile command...   (starts in background, records PID in BG_PID)
  local ns=$1 logf=$2; shift 2
  ip netns exec "$ns" "$@" >"$logf" 2>&1 </dev/null &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

capture_start() { # scenario-dir
  local d=$1
  rm -f "$WORK/tcpdump-client.err" "$WORK/tcpdump-relay.err"
  spawn "$NS_C" "$WORK/tcpdump-client.err" tcpdump -i eth0 -nn -s 0 -U -Z root -c "$MAX_PKTS" -w "$d/client.pcap"
  CAP_C=$BG_PID
  spawn "$NS_R" "$WORK/tcpdump-relay.err" tcpdump -i eth0 -nn -s 0 -U -Z root -c "$MAX_PKTS" -w "$d/relay.pcap"
  CAP_R=$BG_PID
  wait_for 10 "tcpdump (client)" grep -q 'listening on' "$WORK/tcpdump-client.err"
  wait_for 10 "tcpdump (relay)" grep -q 'listening on' "$WORK/tcpdump-relay.err"
  nap 1
}

capture_stop() {
  local p
  for p in "$CAP_C" "$CAP_R"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "$CAP_C" "$CAP_R"; do stop_pid "$p" INT; done
  sed -n '/packets captured/p' "$WORK/tcpdump-client.err" | sed 's/^/  client: /' >&2 || true
  sed -n '/packets captured/p' "$WORK/tcpdump-relay.err" | sed 's/^/  relay:  /' >&2 || true
}

censor_load() { # nft-file
  nsx "$NS_X" nft -f "$1"
}

censor_save() { # scenario-dir
  {
    echo "# nft list ruleset, censor namespace ($NS_X), after the run"
    nsx "$NS_X" nft list ruleset
  } >"$1/censor-nft.txt"
}

rand_label() { # n chars, lowercase base32 alphabet (as Tor's www.<random>.net)
  local r=''
  while ((${#r} < $1)); do r+=$(head -c 64 /dev/urandom | LC_ALL=C tr -dc 'a-z2-7'); done
  printf '%s' "${r:0:$1}"
}

make_cert() {
  # Tor-2012-like: link certificate CN www.<random>.net, issued by an
  # "identity" certificate CN www.<random>.com, 1024-bit RSA keys, plus a
  # fresh 1024-bit DH group (Tor used per-relay random 1024-bit primes from
  # 0.2.3.9).  With these sizes ServerHello + Certificate + ServerKeyExchange +
  # ServerHelloDone fit in one TCP segment (~1 KB), as in Tor's handshakes
  # then and in samples/tor-kz-drop; with 2048-bit keys the flight spans two
  # segments.  Needs OpenSSL security level 1 on both ends (@SECLEVEL=1).
  local d=$WORK/pki
  mkdir -p "$d"
  CA_CN="www.$(rand_label 12).com"
  LEAF_CN="www.$(rand_label 14).net"
  SNI="www.$(rand_label 16).com"
  openssl req -x509 -newkey rsa:1024 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
    -subj "/CN=$CA_CN" -days 365 -sha256 >/dev/null 2>&1
  openssl req -new -newkey rsa:1024 -nodes -keyout "$d/key.pem" -out "$d/leaf.csr" \
    -subj "/CN=$LEAF_CN" >/dev/null 2>&1
  openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial "$(date +%s)" \
    -days 365 -sha256 -out "$d/cert.pem" >/dev/null 2>&1
  openssl dhparam -out "$d/dh.pem" 1024 >/dev/null 2>&1
  log "certificate: subject CN=$LEAF_CN issuer CN=$CA_CN; client SNI $SNI"
}

# ---------------------------------------------------------------- analysis
ts() { tshark "$@" 2>/dev/null; }
count() { ts -r "$1" -Y "$2" -T fields -e frame.number | wc -l; }
frames() { ts -r "$1" -Y "$2" -T fields -e frame.number | paste -sd, -; }
uniq_vals() { ts -r "$1" -Y "$2" -T fields -e "$3" | sort -u | paste -sd, -; }

check() { # description command...   (records ok/FAIL of the command)
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then log "  ok    $what"; echo "- [x] $what" >>"$CHECKS"
  else log "  FAIL  $what"; echo "- [ ] FAILED: $what" >>"$CHECKS"; FAILED=1; fi
}
ar() { (( $1 )); }   # arithmetic condition as a command
not() { ! "$@"; }

view_facts() { # pcap label  -> markdown lines
  local f=$1 label=$2
  local n sh rt rst ttl_r ttl_c conv
  n=$(count "$f" 'frame')
  sh=$(frames "$f" 'tls.handshake.type == 2')
  rt=$(frames "$f" 'tcp.analysis.retransmission')
  rst=$(ts -r "$f" -Y 'tcp.flags.reset == 1' -T fields -e frame.number -e ip.src -e tcp.srcport -e ip.ttl -e ip.id -e ip.flags.df -e tcp.window_size_value \
        | awk -F'\t' '{printf "%s#%s (from %s:%s, TTL %s, IP ID %s, DF %s, win %s)", (NR>1?"; ":""), $1,$2,$3,$4,$5,$6,$7}')
  conv=$(ts -r "$f" -q -z conv,tcp | awk '/<->/{printf "%s%s <-> %s", (c++?"; ":""), $1, $3}')
  echo "- **$label**: $n packets; TCP conversations: ${conv:-none}"
  echo "  - ServerHello (tls.handshake.type == 2) in frames: ${sh:-none}; TCP retransmissions: ${rt:-none}"
  echo "  - RST: ${rst:-none}"
  ttl_c=$(uniq_vals "$f" "ip.src == $CLIENT_IP" ip.ttl)
  ttl_r=$(uniq_vals "$f" "ip.src == $RELAY_IP" ip.ttl)
  echo "  - IP TTLs seen: from $CLIENT_IP: ${ttl_c:-none}; from $RELAY_IP: ${ttl_r:-none}"
  if [[ -n $(uniq_vals "$f" "ip.src == $CENSOR_R_IP" ip.ttl) ]]; then
    echo "  - from $CENSOR_R_IP (NAT address): TTL $(uniq_vals "$f" "ip.src == $CENSOR_R_IP" ip.ttl)"
  fi
}

dumps() { # scenario-dir
  local d=$1 v
  for v in client relay; do
    TZ=UTC tcpdump -nn -tttt -X -r "$d/$v.pcap" >"$d/$v.tcpdump-X.txt" 2>/dev/null
  done
}

size_check() {
  local d=$1 v s
  for v in client relay; do
    s=$(stat -c %s "$d/$v.pcap")
    check "$v.pcap is $s bytes (< 200 KB)" ar "$s < 204800"
  done
}

write_readme() { # dir title what conclusion
  local d=$1
  {
    echo "# $2"
    echo
    echo "Generated by \`lab/two-vantage/make-captures.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Lab: three network namespaces on one host, one routed hop, MTU 1500, offloads off, static ARP:"
    echo
    echo "    client 10.66.1.2 --- censor (router 10.66.1.1 | 10.66.2.1) --- relay 10.66.2.2"
    echo
    echo "\`client.pcap\` was captured on the client's interface and \`relay.pcap\` on the relay's interface at the same time (one clock)."
    echo "Genuine packets cross the router once, so each side receives the other's packets with TTL 63 and sends its own with TTL 64."
    echo "\`*.tcpdump-X.txt\` are \`TZ=UTC tcpdump -nn -tttt -X -r\` renderings of the pcaps; \`censor-nft.txt\` is \`nft list ruleset\` in the censor after the run (counters)."
    echo
    echo "## What was done"
    echo
    printf '%s\n' "$3"
    [[ -z $TRIM_NOTE ]] || printf '%s\n' "$TRIM_NOTE"
    echo
    echo "## What a correct analysis concludes"
    echo
    printf '%s\n' "$4"
    echo
    echo "## Facts of this run (tshark)"
    echo
    view_facts "$d/client.pcap" "client.pcap"
    view_facts "$d/relay.pcap" "relay.pcap"
    echo
    echo "Censor counters (from \`censor-nft.txt\`):"
    echo
    echo '```'
    grep -E 'counter|policy' "$d/censor-nft.txt" | sed 's/^[[:space:]]*//' || echo "(no rules: empty ruleset)"
    echo '```'
    echo
    echo "## Checks made by the script"
    echo
    cat "$CHECKS"
  } >"$d/README.md"
}

begin_scenario() { # name
  SC=$1
  SD=$OUT/$SC
  log "=== scenario $SC"
  rm -rf "$SD"
  mkdir -p "$SD"
  CHECKS=$WORK/checks-$SC.md
  : >"$CHECKS"
  setup_lab
}

trim_pair() { # scenario-dir: keep both pcaps under 200 KB, cutting both at the same instant
  local d=$1 budget=${TRIM_BUDGET:-190000} c=$1/client.pcap r=$1/relay.pcap cut v n
  TRIM_NOTE=''
  (( $(stat -c %s "$c") <= budget && $(stat -c %s "$r") <= budget )) && return 0
  # last quiet gap (>= 50 ms) in the client's view before the budget is reached
  cut=$(ts -r "$c" -T fields -e frame.time_epoch -e frame.cap_len | awk -v B=$((budget - 10000)) '
    { t[NR] = $1; sz += $2 + 16; s[NR] = sz + 24 }
    END { best = ""; for (i = 1; i < NR; i++) if (s[i] <= B && t[i+1] - t[i] >= 0.05) best = t[i]; print best }')
  [[ -n $cut ]] || die "$d: pcaps too large and no place to cut them"
  for v in client relay; do
    n=$(ts -r "$d/$v.pcap" -T fields -e frame.time_epoch | awk -v T="$cut" '$1 <= T + 0.025 { n++ } END { print n + 0 }')
    editcap -r "$d/$v.pcap" "$d/$v.pcap.tmp" "1-$n" >/dev/null
    mv "$d/$v.pcap.tmp" "$d/$v.pcap"
  done
  TRIM_NOTE="- To stay under 200 KB both pcaps were cut (\`editcap -r\`) at the same instant, $(TZ=UTC date -d "@$cut" '+%H:%M:%S.%6N') UTC, in a quiet gap of the traffic; later packets are not in the files."
  log "  trimmed both pcaps at $cut"
}

end_scenario() {
  censor_save "$SD"
  teardown_lab
  trim_pair "$SD"
  dumps "$SD"
}

# ---------------------------------------------------------------- openssl
openssl_server_start() {
  spawn "$NS_R" "$WORK/s_server.log" openssl s_server -accept "$RELAY_IP:443" -naccept 1 \
    -cert "$WORK/pki/cert.pem" -key "$WORK/pki/key.pem" -dhparam "$WORK/pki/dh.pem" \
    -tls1_2 -cipher "$CIPHER:@SECLEVEL=1" -rev
  SRV=$BG_PID
  wait_for 10 "s_server listening" listening "$NS_R" "$RELAY_IP:443"
}

openssl_client_run() { # -> $SD/client-s_client.txt ; returns s_client status in CLI_RC
  # Two lines of application data; s_server -rev sends each line back reversed.
  # While the handshake is unfinished s_client does not read stdin, so in the
  # blocked scenarios it just waits until `timeout 20` ends it.
  # (run in the background and waited for, so that a signal reaches our trap at once)
  { printf 'hello from the client\n'; sleep 1; printf 'second line\n'; sleep 1; } |
    ip netns exec "$NS_C" timeout 20 openssl s_client -connect "$RELAY_IP:443" -servername "$SNI" \
      -cipher 'DEFAULT:@SECLEVEL=1' -keylogfile "$SD/client.keylog" >"$SD/client-s_client.txt" 2>&1 &
  local p=$!
  PIDS+=("$p")
  CLI_RC=0
  wait "$p" || CLI_RC=$?
  forget_pid "$p"
  log "  s_client exit status $CLI_RC"
  if ((CLI_RC == 124)); then
    echo "(killed by timeout after 20 s: exit status 124; s_client's buffered output was lost)" >>"$SD/client-s_client.txt"
  else
    echo "(exit status $CLI_RC)" >>"$SD/client-s_client.txt"
  fi
}

openssl_finish() {
  nap 2                      # let FIN/ACK, retransmissions, RSTs reach the captures
  capture_stop
  stop_pid "$SRV"
  cp "$WORK/s_server.log" "$SD/relay-s_server.txt"
  # a key log holding only its comment line (no handshake got that far) is useless
  grep -qv '^#' "$SD/client.keylog" 2>/dev/null || rm -f "$SD/client.keylog"
}

pass_checks() { # expected client-view peer address; relay-view peer address
  local c=$SD/client.pcap r=$SD/relay.pcap
  check "ServerHello present in client.pcap" ar "$(count "$c" 'tls.handshake.type == 2') == 1"
  check "ServerHello present in relay.pcap" ar "$(count "$r" 'tls.handshake.type == 2') == 1"
  check "Finished/ChangeCipherSpec in both directions at both ends (complete handshake)" \
    ar "$(count "$c" 'tls.change_cipher_spec') == 2 && $(count "$r" 'tls.change_cipher_spec') == 2"
  check "application data at both ends" \
    ar "$(count "$c" 'tls.record.content_type == 23') >= 2 && $(count "$r" 'tls.record.content_type == 23') >= 2"
  check "cipher suite 0x0039 (DHE-RSA-AES256-SHA) chosen" \
    test "$(uniq_vals "$c" 'tls.handshake.type == 2' tls.handshake.ciphersuite)" = 0x0039
  check "no RST and no retransmission at either end" \
    ar "$(count "$c" 'tcp.flags.reset == 1 || tcp.analysis.retransmission') == 0 && $(count "$r" 'tcp.flags.reset == 1 || tcp.analysis.retransmission') == 0"
  check "same number of TCP segments at both ends" \
    ar "$(count "$c" tcp) == $(count "$r" tcp)"
  check "s_client exited 0" ar "CLI_RC == 0"
}

scenario_openssl_pass() {
  begin_scenario openssl-pass
  openssl_server_start
  capture_start "$SD"
  openssl_client_run
  openssl_finish
  end_scenario
  pass_checks
  size_check "$SD"
  write_readme "$SD" "openssl-pass: TLS 1.2 handshake, no interference" \
"- Relay: \`openssl s_server -accept 10.66.2.2:443 -naccept 1 -dhparam dh1024.pem -tls1_2 -cipher $CIPHER:@SECLEVEL=1 -rev\` with a Tor-2012-like certificate (subject \`CN=$LEAF_CN\`, issuer \`CN=$CA_CN\`, RSA 1024) and a fresh 1024-bit DH group, so that the whole server flight (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone) fits in one TCP segment, as Tor's did. \`-rev\` sends every received line back reversed.
- Client: \`openssl s_client -connect 10.66.2.2:443 -servername $SNI -cipher DEFAULT:@SECLEVEL=1\` (security level 1 so that it accepts 1024-bit keys) with OpenSSL's default offer (TLS 1.3 and 1.2, 0x0039 among its cipher suites, like a Tor client's ClientHello), sending two lines (\`hello from the client\`, \`second line\`) one second apart, then EOF (close_notify + FIN). Its output is \`client-s_client.txt\`; \`client.keylog\` (NSS key log) decrypts the application data in Wireshark.
- Censor: plain router, no nftables rules." \
"Nothing interfered. Both views hold the same TCP segments (the client's with TTL 64 at the client and 63 at the relay, the relay's the other way round), one complete TLS 1.2 handshake (ClientHello offering TLS 1.3 and 1.2; ServerHello choosing TLS 1.2 and TLS_DHE_RSA_WITH_AES_256_CBC_SHA 0x0039, then Certificate, ServerKeyExchange, ServerHelloDone; ClientKeyExchange + ChangeCipherSpec + Finished; NewSessionTicket + ChangeCipherSpec + Finished), encrypted application data both ways, and an orderly close. A comparison of the two views must report no difference other than TTL (−1 hop) and timing."
}

scenario_openssl_pass_natted() {
  begin_scenario openssl-pass-natted
  censor_load "$HERE/censor-nat.nft"
  openssl_server_start
  capture_start "$SD"
  openssl_client_run
  openssl_finish
  end_scenario
  pass_checks
  local c=$SD/client.pcap r=$SD/relay.pcap cport rport
  cport=$(uniq_vals "$c" "ip.src == $CLIENT_IP" tcp.srcport)
  rport=$(uniq_vals "$r" "ip.dst == $RELAY_IP" tcp.srcport)
  check "client view: $CLIENT_IP:$cport -> $RELAY_IP:443" ar "$(count "$c" "ip.src == $CLIENT_IP && tcp.dstport == 443") > 0"
  check "relay view: peer is $CENSOR_R_IP:$rport (SNAT + port map), $CLIENT_IP never appears" \
    ar "$(count "$r" "ip.addr == $CENSOR_R_IP") > 0 && $(count "$r" "ip.addr == $CLIENT_IP") == 0"
  check "source port rewritten ($cport -> $rport)" ar "$cport != $rport && $rport >= 20000 && $rport <= 20999"
  size_check "$SD"
  write_readme "$SD" "openssl-pass-natted: TLS 1.2 handshake through source NAT, no interference" \
"- Same client and relay as \`openssl-pass\` (certificate \`CN=$LEAF_CN\`, issuer \`CN=$CA_CN\`, SNI \`$SNI\`).
- The router runs \`censor-nat.nft\`: connections from 10.66.1.0/24 leaving towards the relay are masqueraded to 10.66.2.1 and their source port is mapped into 20000–20999 (\`masquerade to :20000-20999 random\`). No filtering.
- In this run the client used source port $cport; the relay saw the connection from 10.66.2.1:$rport." \
"Nothing interfered; the handshake completed and data flowed as in \`openssl-pass\`. The two captures are of the same connection although the 4-tuples differ: client view 10.66.1.2:$cport ↔ 10.66.2.2:443, relay view 10.66.2.1:$rport ↔ 10.66.2.2:443. A correct comparison pairs them by content (TCP initial sequence numbers, which NAT did not rewrite, TCP timestamps, the ClientHello random, the SNI), not by addresses and ports, and reports the address/port rewriting as a middlebox (NAT) observation, not as censorship. TTLs still differ by one hop."
}

scenario_openssl_drop() {
  begin_scenario openssl-drop-serverhello
  censor_load "$HERE/censor-kz-drop.nft"
  openssl_server_start
  capture_start "$SD"
  openssl_client_run
  openssl_finish
  end_scenario
  local c=$SD/client.pcap r=$SD/relay.pcap
  check "ServerHello in relay.pcap" ar "$(count "$r" 'tls.handshake.type == 2') == 1"
  check "ServerHello retransmitted at the relay ($(count "$r" "tcp.analysis.retransmission && ip.src == $RELAY_IP") retransmissions)" \
    ar "$(count "$r" "tcp.analysis.retransmission && ip.src == $RELAY_IP") >= 3"
  check "no ServerHello and no relay payload in client.pcap" \
    ar "$(count "$c" 'tls.handshake.type == 2') == 0 && $(count "$c" "ip.src == $RELAY_IP && tcp.len > 0") == 0"
  check "ClientHello at both ends" \
    ar "$(count "$c" 'tls.handshake.type == 1') == 1 && $(count "$r" 'tls.handshake.type == 1') == 1"
  check "s_client killed by timeout (exit 124)" ar "CLI_RC == 124"
  check "censor dropped 1 ServerHello segment" \
    grep -q 'counter packets 1 .*TLS ServerHello' "$SD/censor-nft.txt"
  size_check "$SD"
  # anonymised dumps: each view names the addresses with its own words
  sed -E -e 's/\b10\.66\.1\.2\b/CLIENT/g' -e 's/\b10\.66\.2\.2\b/RELAY/g' \
    "$SD/client.tcpdump-X.txt" >"$SD/client.anon.tcpdump-X.txt"
  sed -E -e 's/\b10\.66\.1\.2\b/peer-a/g' -e 's/\b10\.66\.2\.2\b/bridge-b/g' \
    "$SD/relay.tcpdump-X.txt" >"$SD/relay.anon.tcpdump-X.txt"
  local v
  for v in client relay; do TZ=UTC tshark -r "$SD/$v.pcap" -x >"$SD/$v.tshark-x.txt" 2>/dev/null; done
  write_readme "$SD" "openssl-drop-serverhello: ServerHello dropped, connection blackholed (Kazakhstan-2012-style censor)" \
"- Same client and relay as \`openssl-pass\` (TLS 1.2, $CIPHER, certificate \`CN=$LEAF_CN\` issued by \`CN=$CA_CN\`, SNI \`$SNI\`); the client runs under \`timeout 20\`.
- The censor loads \`censor-kz-drop.nft\` (copied from \`samples/tor-kz-drop/\`): a forwarded TCP segment whose payload starts \`16 03 xx .. .. 02\` (TLS handshake record holding a ServerHello) is dropped and its conntrack entry marked 0x4b5a; every later packet of that connection is dropped in both directions.
- Extra renderings: \`client.anon.tcpdump-X.txt\` (10.66.1.2 → \`CLIENT\`, 10.66.2.2 → \`RELAY\`) and \`relay.anon.tcpdump-X.txt\` (10.66.1.2 → \`peer-a\`, 10.66.2.2 → \`bridge-b\`): the same connection with different placeholder words in the two views, only the addresses in the text lines are replaced (hex bytes unchanged); \`client.tshark-x.txt\` / \`relay.tshark-x.txt\` are \`tshark -r X.pcap -x\`." \
"The TCP handshake and the ClientHello pass (the relay ACKs the ClientHello). The relay sends ServerHello + Certificate + ServerKeyExchange + ServerHelloDone in one segment and retransmits it with exponential back-off because no ACK ever comes; the client never receives it, nor anything else from the relay after the ACK of its ClientHello. When \`timeout\` ends s_client after 20 s, the client's FIN (and its retransmissions) appear only in client.pcap: the connection is blackholed in both directions. No RST anywhere. Conclusion: on-path drop, relay → client, triggered by the ServerHello (first server handshake flight), followed by blocking of the whole flow; the relay is reachable (not an IP/port block)."
}

scenario_openssl_rst() {
  begin_scenario openssl-rst-injected
  censor_load "$HERE/censor-serverhello-rst.nft"
  spawn "$NS_X" "$WORK/inject.log" "$PY" -u "$HERE/inject-rst.py" --sniff-iface to-relay --out-iface to-client \
    --client-ip "$CLIENT_IP" --client-mac "$MAC_CLIENT" --ttl 64 --window 16384 \
    --ready-file "$WORK/inject.ready" --duration 60
  local inj=$BG_PID
  wait_for 30 "RST injector" test -s "$WORK/inject.ready"
  openssl_server_start
  capture_start "$SD"
  openssl_client_run
  nap 4                         # a few of the relay's retransmissions
  openssl_finish
  stop_pid "$inj"
  cp "$WORK/inject.log" "$SD/censor-injector.log"
  end_scenario
  local c=$SD/client.pcap r=$SD/relay.pcap
  check "ServerHello in relay.pcap, retransmitted" \
    ar "$(count "$r" 'tls.handshake.type == 2') == 1 && $(count "$r" "tcp.analysis.retransmission && ip.src == $RELAY_IP") >= 2"
  check "no ServerHello in client.pcap" ar "$(count "$c" 'tls.handshake.type == 2') == 0"
  check "exactly one RST in client.pcap, from $RELAY_IP:443, TTL 64, DF clear, window 16384" \
    ar "$(count "$c" "tcp.flags.reset == 1 && ip.src == $RELAY_IP && tcp.srcport == 443 && ip.ttl == 64 && ip.flags.df == 0 && tcp.window_size_value == 16384") == 1 && $(count "$c" 'tcp.flags.reset == 1') == 1"
  check "no RST in relay.pcap" ar "$(count "$r" 'tcp.flags.reset == 1') == 0"
  check "genuine relay packets at the client have TTL 63" \
    test "$(uniq_vals "$c" "ip.src == $RELAY_IP && tcp.flags.reset == 0" ip.ttl)" = 63
  local shseq rstseq
  shseq=$(ts -r "$r" -Y 'tls.handshake.type == 2' -T fields -e tcp.seq_raw)
  rstseq=$(ts -r "$c" -Y 'tcp.flags.reset == 1' -T fields -e tcp.seq_raw)
  check "RST sequence number ($rstseq) = ServerHello's sequence number ($shseq)" test -n "$shseq" -a "$shseq" = "$rstseq"
  check "s_client failed (connection reset), not by timeout" ar "CLI_RC != 0 && CLI_RC != 124"
  size_check "$SD"
  write_readme "$SD" "openssl-rst-injected: ServerHello replaced by a forged RST" \
"- Same client and relay as \`openssl-pass\` (TLS 1.2, $CIPHER, certificate \`CN=$LEAF_CN\` issued by \`CN=$CA_CN\`, SNI \`$SNI\`).
- Censor, two parts: \`censor-serverhello-rst.nft\` drops every forwarded segment whose payload starts \`16 03 xx .. .. 02\` (the ServerHello and its retransmissions; the connection is not blackholed otherwise), and \`inject-rst.py\` (scapy, in the censor namespace) sniffs the relay-facing interface — where the ServerHello is seen before the forward hook drops it — and sends the client one forged RST: source 10.66.2.2:443, sequence number = the ServerHello segment's sequence number (exactly what the client expects), written straight onto the client link with TTL 64, DF clear, a random IP ID and window 16384. Its log is \`censor-injector.log\`.
- Choice documented: the real ServerHello is dropped, so the client sees only the RST (a real injector races the genuine packet and usually, but not always, wins; dropping makes the result deterministic)." \
"The TCP handshake and ClientHello pass at both ends. In client.pcap the only answer to the ClientHello (after the relay's ACK) is a RST claiming to come from 10.66.2.2:443; s_client fails with 'Connection reset by peer'. That RST is absent from relay.pcap: the relay never sent it. Instead the relay's capture shows the ServerHello + Certificate + ServerKeyExchange + ServerHelloDone segment leaving and being retransmitted (no ACK, no RST arrives from the client, whose kernel has already dropped the connection). The RST's IP header is unlike the relay's genuine packets as seen by the client: TTL 64 (genuine ones arrive with 63 after one hop, so the RST was emitted one hop closer, by the router), DF not set (the relay sets DF), IP ID unrelated to the relay's sequence, window 16384 (the relay advertises ~64 << 10). Conclusion: on-path RST injection triggered by the ServerHello, in the relay → client direction, with the genuine ServerHello suppressed."
}

scenario_openssl_rst_both() {
  begin_scenario openssl-rst-both-ways
  censor_load "$HERE/censor-serverhello-rst.nft"
  spawn "$NS_X" "$WORK/inject.log" "$PY" -u "$HERE/inject-rst.py" --sniff-iface to-relay --out-iface to-client \
    --client-ip "$CLIENT_IP" --client-mac "$MAC_CLIENT" --both-ways --relay-mac "$MAC_RELAY" --ttl 64 --window 16384 \
    --ready-file "$WORK/inject.ready" --duration 60
  local inj=$BG_PID
  wait_for 30 "RST injector" test -s "$WORK/inject.ready"
  openssl_server_start
  capture_start "$SD"
  openssl_client_run
  nap 2
  openssl_finish
  stop_pid "$inj"
  cp "$WORK/inject.log" "$SD/censor-injector.log"
  end_scenario
  local c=$SD/client.pcap r=$SD/relay.pcap
  check "ServerHello in relay.pcap, none in client.pcap" \
    ar "$(count "$r" 'tls.handshake.type == 2') >= 1 && $(count "$c" 'tls.handshake.type == 2') == 0"
  check "one RST in client.pcap, from $RELAY_IP:443, TTL 64, DF clear, window 16384" \
    ar "$(count "$c" "tcp.flags.reset == 1 && ip.src == $RELAY_IP && ip.ttl == 64 && ip.flags.df == 0 && tcp.window_size_value == 16384") == 1"
  check "one RST in relay.pcap, from $CLIENT_IP, TTL 64, DF clear, window 16384" \
    ar "$(count "$r" "tcp.flags.reset == 1 && ip.src == $CLIENT_IP && ip.ttl == 64 && ip.flags.df == 0 && tcp.window_size_value == 16384") == 1"
  check "the client's RST claiming the relay is absent from relay.pcap, and the other way round" \
    ar "$(count "$r" "tcp.flags.reset == 1 && ip.src == $RELAY_IP") == 0 && $(count "$c" "tcp.flags.reset == 1 && ip.src == $CLIENT_IP") == 0"
  check "s_client failed (connection reset), not by timeout" ar "CLI_RC != 0 && CLI_RC != 124"
  size_check "$SD"
  write_readme "$SD" "openssl-rst-both-ways: forged RSTs to both ends" \
"- Censor: as \`openssl-rst-injected\` (\`censor-serverhello-rst.nft\` drops the ServerHello), and \`inject-rst.py --both-ways\` sends two RSTs when it sees the ServerHello: one to the client claiming to come from 10.66.2.2:443 (sequence number = the ServerHello's), one to the relay claiming to come from the client (sequence number = the ServerHello's acknowledgement number, the client's next byte). Both with TTL 64, DF clear, random IP ID, window 16384. Its log is \`censor-injector.log\`." \
"The TCP handshake and the ClientHello pass. In client.pcap the answer to the ClientHello is a RST claiming the relay; in relay.pcap, after its ServerHello left, a RST claiming the client arrives. Neither end sent the RST the other received (each is absent from the sender's capture), and both have TTL 64 where the genuine peer's packets arrive with 63. Conclusion: RST injection in both directions (relay → client and client → relay), triggered by the ServerHello."
}

# ---------------------------------------------------------------- tor
tor_write_relay_torrc() { # obfs4?(0/1)
  # fresh state for every scenario (keys, logs, pt_state)
  rm -rf "$WORK/relay-data" "$WORK/client-data" "$WORK"/{relay,client}-tor.{log,stdout} "$WORK"/{relay,client}.torrc
  mkdir -p "$WORK/relay-data"
  chmod 700 "$WORK/relay-data"
  cat >"$WORK/relay.torrc" <<EOF
DataDirectory $WORK/relay-data
BridgeRelay 1
ORPort $RELAY_IP:443
Address $RELAY_IP
AddressDisableIPv6 1
PublishServerDescriptor 0
AssumeReachable 1
SocksPort 0
DirPort 0
ExitRelay 0
Nickname hilabbridge
ContactInfo handshake-inspector-lab-bridge
Log notice file $WORK/relay-tor.log
SafeLogging 0
RunAsDaemon 0
EOF
  if [[ $1 == 1 ]]; then
    cat >>"$WORK/relay.torrc" <<EOF
ServerTransportPlugin obfs4 exec /usr/bin/obfs4proxy
ServerTransportListenAddr obfs4 $RELAY_IP:8443
ExtORPort auto
EOF
  fi
}

tor_relay_start() { # obfs4?(0/1)
  tor_write_relay_torrc "$1"
  # OPENSSL_CONF only for the bridge: TLS capped at 1.2 so that ServerHello,
  # Certificate and ServerKeyExchange travel in clear text, as in 2012.
  spawn "$NS_R" "$WORK/relay-tor.stdout" env OPENSSL_CONF="$HERE/relay-openssl.cnf" tor -f "$WORK/relay.torrc"
  RELAY_TOR=$BG_PID
  wait_for 60 "tor bridge ORPort" listening "$NS_R" "$RELAY_IP:443"
  if [[ $1 == 1 ]]; then
    wait_for 60 "obfs4 listener" listening "$NS_R" "$RELAY_IP:8443"
    wait_for 10 "obfs4 bridge line" test -s "$WORK/relay-data/pt_state/obfs4_bridgeline.txt"
  fi
  log "  bridge listening"
}

tor_client_run() { # bridge-line (without "Bridge ") transport?(0/1)
  mkdir -p "$WORK/client-data"
  chmod 700 "$WORK/client-data"
  cat >"$WORK/client.torrc" <<EOF
DataDirectory $WORK/client-data
UseBridges 1
SocksPort 127.0.0.1:9050
ClientUseIPv6 0
Log notice file $WORK/client-tor.log
SafeLogging 0
RunAsDaemon 0
EOF
  [[ $2 == 1 ]] && echo "ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy" >>"$WORK/client.torrc"
  echo "Bridge $1" >>"$WORK/client.torrc"
  spawn "$NS_C" "$WORK/client-tor.stdout" tor -f "$WORK/client.torrc"
  local cl=$BG_PID
  nap 20                      # let the client try for ~20 s
  stop_pid "$cl"                # SIGTERM: a Tor client exits at once
  nap 2
}

tor_finish() {
  capture_stop
  stop_pid "$RELAY_TOR"
  local f
  for f in relay.torrc client.torrc relay-tor.log client-tor.log; do
    [[ -f $WORK/$f ]] && sed "s#$WORK#DATA#g" "$WORK/$f" >"$SD/$f"
  done
}

scenario_tor_drop() {
  begin_scenario tor-drop-serverhello
  censor_load "$HERE/censor-kz-drop.nft"
  tor_relay_start 0
  capture_start "$SD"
  tor_client_run "$RELAY_IP:443" 0
  tor_finish
  end_scenario
  local c=$SD/client.pcap r=$SD/relay.pcap
  check "ServerHello in relay.pcap" ar "$(count "$r" 'tls.handshake.type == 2') >= 1"
  check "ServerHello is TLS 1.2 (relay capped by relay-openssl.cnf)" \
    test "$(uniq_vals "$r" 'tls.handshake.type == 2' tls.handshake.version)/$(uniq_vals "$r" 'tls.handshake.type == 2' tls.handshake.extensions.supported_version)" = 0x0303/
  check "ServerHello retransmitted at the relay" \
    ar "$(count "$r" "tcp.analysis.retransmission && ip.src == $RELAY_IP") >= 3"
  check "no ServerHello and no relay payload in client.pcap" \
    ar "$(count "$c" 'tls.handshake.type == 2') == 0 && $(count "$c" "ip.src == $RELAY_IP && tcp.len > 0") == 0"
  check "ClientHello at both ends" \
    ar "$(count "$c" 'tls.handshake.type == 1') >= 1 && $(count "$r" 'tls.handshake.type == 1') >= 1"
  check "client log shows no TLS handshake completed (no 'Bootstrapped 15%')" \
    not grep -Eq 'Bootstrapped (1[5-9]|[2-9][0-9]|100)%' "$SD/client-tor.log"
  size_check "$SD"
  write_readme "$SD" "tor-drop-serverhello: Tor bridge handshake blocked on its ServerHello" \
"- Relay: real \`tor\` ($(tor --version 2>/dev/null | head -1 | sed 's/\.$//')) as a bridge (\`relay.torrc\`: BridgeRelay 1, ORPort 10.66.2.2:443, no directory, not published, AssumeReachable 1), started with \`OPENSSL_CONF=relay-openssl.cnf\` so that its TLS is capped at 1.2 and ServerHello/Certificate/ServerKeyExchange are in clear. \`DATA\` in the configs and logs stands for a temporary directory.
- Client: real \`tor\` with \`UseBridges 1\` and \`Bridge 10.66.2.2:443\` (\`client.torrc\`), left to try for about 20 s, then stopped (SIGTERM). Logs: \`client-tor.log\`, \`relay-tor.log\`.
- Censor: \`censor-kz-drop.nft\`, as in \`openssl-drop-serverhello\`." \
"Same signature as the bundled sample \`samples/tor-kz-drop/\` and \`openssl-drop-serverhello\`: TCP handshake and Tor's ClientHello (random \`www.<random>.com\` SNI) pass, the relay ACKs the ClientHello and sends ServerHello + Certificate + ServerKeyExchange + ServerHelloDone (TLS 1.2), which it retransmits with back-off; the client never sees it nor anything after the ACK, and the client's own later packets (its FIN when tor is stopped, if any) never reach the relay. Tor's client log never gets past the handshake phase of bootstrap. Conclusion: on-path drop of the relay's ServerHello and blackholing of the connection; relay reachable, not an IP/port block."
}

scenario_tor_obfs4() {
  begin_scenario tor-obfs4-pass
  censor_load "$HERE/censor-kz-drop.nft"
  tor_relay_start 1
  local cert fpr
  cert=$(grep -o 'cert=[^ ]*' "$WORK/relay-data/pt_state/obfs4_bridgeline.txt" | head -1)
  fpr=$(awk '{print $2}' "$WORK/relay-data/fingerprint")
  [[ -n $cert && -n $fpr ]] || die "could not read the obfs4 bridge line"
  capture_start "$SD"
  tor_client_run "obfs4 $RELAY_IP:8443 $fpr $cert iat-mode=0" 1
  tor_finish
  sed "s#$WORK#DATA#g" "$WORK/relay-data/pt_state/obfs4_bridgeline.txt" >"$SD/obfs4_bridgeline.txt"
  end_scenario
  local c=$SD/client.pcap r=$SD/relay.pcap boot
  boot=$(grep -o 'Bootstrapped [0-9]*%[^.]*' "$SD/client-tor.log" | tail -1 || true)
  check "TCP connection to 10.66.2.2:8443 at both ends, relay sends payload the client receives" \
    ar "$(count "$c" "ip.src == $RELAY_IP && tcp.srcport == 8443 && tcp.len > 0") > 0 && $(count "$r" "ip.src == $RELAY_IP && tcp.srcport == 8443 && tcp.len > 0") > 0"
  check "same number of TCP segments at both ends" ar "$(count "$c" tcp) == $(count "$r" tcp)"
  check "no cleartext TLS handshake at either end" \
    ar "$(count "$c" 'tls.handshake') == 0 && $(count "$r" 'tls.handshake') == 0"
  check "no retransmission and no RST" \
    ar "$(count "$c" 'tcp.analysis.retransmission || tcp.flags.reset == 1') == 0 && $(count "$r" 'tcp.analysis.retransmission || tcp.flags.reset == 1') == 0"
  check "censor dropped nothing" not grep -q 'counter packets [1-9]' "$SD/censor-nft.txt"
  check "client log: Tor handshake with the bridge done (last: '${boot:-none}')" \
    grep -Eq 'Bootstrapped (1[5-9]|[2-9][0-9]|100)%' "$SD/client-tor.log"
  size_check "$SD"
  write_readme "$SD" "tor-obfs4-pass: Tor over obfs4 gets through the ServerHello censor" \
"- Relay: the same Tor bridge as \`tor-drop-serverhello\` plus \`ServerTransportPlugin obfs4 exec /usr/bin/obfs4proxy\` and \`ServerTransportListenAddr obfs4 10.66.2.2:8443\` (\`relay.torrc\`; \`obfs4_bridgeline.txt\` is what obfs4proxy wrote).
- Client: \`tor\` with \`ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy\` and \`Bridge obfs4 10.66.2.2:8443 <fingerprint> cert=… iat-mode=0\` built from the bridge's \`pt_state/obfs4_bridgeline.txt\` and \`fingerprint\` (\`client.torrc\`); ~20 s of bootstrap, then SIGTERM.
- Censor: \`censor-kz-drop.nft\` active, unchanged.
- There is no Internet in the lab, so the client cannot reach the real Tor network; the bridge has no consensus to give, and bootstrap stalls after the connection to the bridge works. Last bootstrap line of the client in this run: \`${boot:-none}\` (see \`client-tor.log\`)." \
"The client's TCP connection to 10.66.2.2:8443 is established and carries obfs4 traffic both ways; both views hold the same segments (TTL −1 across the hop). The payload is uniformly random-looking from the first byte: no TLS record header, no ServerHello, so the censor's rule never matches (its counters stay at 0). Inside the obfs4 tunnel Tor's own TLS handshake with the bridge completes (client log: bootstrap reaches the handshake-done stage). Conclusion: no interference; the ServerHello-triggered block does not affect obfs4. An analysis should say 'no TLS handshake found' for this flow, not 'handshake failed'."
}

write_index() {
  cat >"$OUT/README.md" <<'EOF'
# Two-vantage captures (real, made in a lab)

Made by `lab/two-vantage/make-captures.sh` (read its header; re-run it as root to
regenerate everything, about 2 minutes).  Every directory holds one connection
attempt captured at the same time at both ends:

    hi-client 10.66.1.2 --- hi-censor (router 10.66.1.1 | 10.66.2.1, nftables) --- hi-relay 10.66.2.2

- `client.pcap` (client's interface), `relay.pcap` (relay's interface): pcap, Ethernet, µs timestamps, one clock;
- `client.tcpdump-X.txt`, `relay.tcpdump-X.txt`: `TZ=UTC tcpdump -nn -tttt -X -r` of them;
- `censor-nft.txt`: the censor's `nft list ruleset` after the run (rule counters);
- `README.md`: what was done, what a correct analysis concludes, facts of the run (tshark).

| directory | censor | what the pair shows |
|---|---|---|
| `openssl-pass/` | none | complete TLS 1.2 handshake (DHE-RSA-AES256-SHA, Tor-like certificate) + data, identical at both ends but for TTL 64/63 |
| `openssl-drop-serverhello/` | `censor-kz-drop.nft` | ServerHello leaves the relay and is retransmitted; never reaches the client, which times out; later packets blackholed both ways. Also anonymised dumps and `tshark -x` dumps |
| `openssl-rst-injected/` | `censor-serverhello-rst.nft` + `inject-rst.py` | client gets a forged RST (TTL 64, no DF, window 16384) instead of the ServerHello; the relay never sent it and keeps retransmitting its ServerHello |
| `openssl-rst-both-ways/` | `censor-serverhello-rst.nft` + `inject-rst.py --both-ways` | forged RSTs both ways: the client gets one claiming the relay, the relay one claiming the client; neither end sent the RST the other received |
| `tor-drop-serverhello/` | `censor-kz-drop.nft` | real Tor bridge (TLS capped at 1.2) and client; same drop signature as `samples/tor-kz-drop/` |
| `tor-obfs4-pass/` | `censor-kz-drop.nft` | Tor over obfs4: no ServerHello in clear, nothing dropped, client bootstraps through the bridge |
| `openssl-pass-natted/` | `censor-nat.nft` (SNAT + port map) | as openssl-pass, but the relay sees 10.66.2.1:2xxxx instead of 10.66.1.2:<ephemeral> |

The lab has no Internet; the Tor clients cannot go past the bridge.
Certificates, keys and the Tor bridge identities are generated afresh on each run.
EOF
}

# ---------------------------------------------------------------- main
main() {
  local scenarios=("$@") s
  ((${#scenarios[@]})) || scenarios=("${ALL_SCENARIOS[@]}")
  need "${scenarios[@]}"
  for s in "${scenarios[@]}"; do
    [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || die "unknown scenario '$s' (known: ${ALL_SCENARIOS[*]})"
  done
  WORK=$(mktemp -d /tmp/hi-two-vantage.XXXXXX)
  mkdir -p "$OUT"
  make_cert
  local t0=$SECONDS
  for s in "${scenarios[@]}"; do
    case $s in
      openssl-pass) scenario_openssl_pass ;;
      openssl-drop-serverhello) scenario_openssl_drop ;;
      openssl-rst-injected) scenario_openssl_rst ;;
      openssl-rst-both-ways) scenario_openssl_rst_both ;;
      tor-drop-serverhello) scenario_tor_drop ;;
      tor-obfs4-pass) scenario_tor_obfs4 ;;
      openssl-pass-natted) scenario_openssl_pass_natted ;;
    esac
  done
  write_index
  log "done in $((SECONDS - t0)) s; output in $OUT"
  if ((FAILED)); then log "some checks FAILED (see the READMEs)"; return 1; fi
  log "all checks passed"
}

main "$@"
