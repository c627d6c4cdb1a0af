# Three network namespaces in a row, the middle one routing (sourced by lab scripts; run as root):
#   C  NET1.2 cif ---- mif0 NET1.1 | M | NET2.1 mif1 ---- sif NET2.2  S
# usage: netns3 C M S cif mif0 mif1 sif NET1 NET2   (NET = the first three octets of a /24, e.g. 10.77.1)
# The caller deletes the namespaces on exit (ip netns del), which removes the veth pairs.
netns3() {
  for n in "$1" "$2" "$3"; do ip netns add "$n"; ip -n "$n" link set lo up; done
  ip link add "$4" netns "$1" type veth peer name "$5" netns "$2"
  ip link add "$6" netns "$2" type veth peer name "$7" netns "$3"
  ip -n "$1" addr add "$8.2/24" dev "$4"; ip -n "$1" link set "$4" up
  ip -n "$2" addr add "$8.1/24" dev "$5"; ip -n "$2" link set "$5" up
  ip -n "$2" addr add "$9.1/24" dev "$6"; ip -n "$2" link set "$6" up
  ip -n "$3" addr add "$9.2/24" dev "$7"; ip -n "$3" link set "$7" up
  ip -n "$1" route add default via "$8.1"
  ip -n "$3" route add default via "$9.1"
  ip netns exec "$2" sysctl -qw net.ipv4.ip_forward=1
}
