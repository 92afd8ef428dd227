#!/usr/bin/env bash
# drcheck lab: a real LVS Direct-Routing + keepalived VRRP setup in Linux network namespaces
# (no IPVS on this kernel: DR forwarding is an nftables netdev ingress rule, lab/nft-dr.nft).
#
#   lab.sh up [SCENARIO]         build the topology, start keepalived + services, apply the fault
#   lab.sh down                  remove everything (safe to run any time, also after a failed up)
#   lab.sh traffic [SECONDS]     client -> VIP: TCP:25 banner, UDP:53 echo, ping; IPv4 and IPv6
#   lab.sh record SCENARIO       up + captures + traffic + the scenario's event + down -> fixtures/lab/
#   lab.sh record-all            record every scenario
#   lab.sh exec NODE CMD...      run CMD in namespace drc-NODE (client router lan mon lb1 lb2 rs1 rs2)
#   lab.sh status                namespaces, VRRP state, VIP owners, nft counters, processes
#   lab.sh run-during-traffic SCENARIO NODE CMD...   (alias: live-check)
#                                up SCENARIO, run CMD in drc-NODE, wait until CMD's capture is
#                                open (a packet socket with a BPF filter in drc-NODE), then the
#                                client traffic (DRC_LAB_TRAFFIC_SECONDS, default 20) and the
#                                scenario's event at its usual time; down; exits with CMD's
#                                status. DRC_LAB_TCPDUMP=FILE also records drc-NODE's eth0 with
#                                tcpdump (ns) at the same time; DRC_LAB_CMD_LEAD=S replaces the
#                                socket wait by a fixed S seconds (for commands that do not capture);
#                                DRC_LAB_AFTER_OPEN=S waits S more seconds after it (e.g. 1.5 so
#                                a command learning the VIPs from VRRP sees an advert first).
#   lab.sh replay FILE CMD...    namespace drc-replay with a veth pair r0 <-> r1: CMD runs there
#                                (capture on r1), FILE is sent into r0 with tcpreplay at its own
#                                pace once CMD's capture is open; exits with CMD's status. For the
#                                VLAN-tagged fixtures (this kernel has no 802.1Q: tags only on the wire)
#   lab.sh scenarios             list scenarios
#
# Scenarios: healthy, arp-leak (rs1 arp_ignore=0), udp-wrong-source (rs1's UDP 53 on the
# wildcard address), failover-graceful (SIGTERM keepalived on lb1), failover-hard (SIGKILL),
# proxy-without-vip (rs1 has no VIP on lo), replies-via-lb (rs1's default gateway is lb1),
# arp-announce (rs1 arp_announce=0, its neighbour cache flushed while it replies),
# vip6-on-lan (rs1 has the IPv6 VIP on eth0 instead of lo).
#
# Locking: up, record, record-all and run-during-traffic take `flock /tmp/drc-lab.lock`
# (DRC_LAB_LOCK) themselves, waiting up to DRC_LAB_LOCK_WAIT s (default 1800); running them under
# an outer `flock /tmp/drc-lab.lock ...` works too (the inherited lock is reused). The processes of
# a lab left up (keepalived, services) keep holding the lock until `lab.sh down`, which never
# waits for the lock: do not wrap `down` in flock.
# Fixtures, addresses, MACs and the expected verdicts: fixtures/lab/README.md.
#
# Needs root. Touches only namespaces named drc-* and the run directory (default /tmp/drc-lab,
# override with DRC_LAB_RUN). Traffic goes only to addresses inside those namespaces.
set -euo pipefail

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${DRC_LAB_RUN:-/tmp/drc-lab}
FIX=${DRC_LAB_FIXTURES:-$LAB_ROOT/fixtures/lab}
KA_DIR=$LAB_ROOT/lab/keepalived
NFT_FILE=$LAB_ROOT/lab/nft-dr.nft

NODES=(client router lan mon lb1 lb2 rs1 rs2 lb3 lb4 replay)
SCENARIOS=(healthy arp-leak udp-wrong-source failover-graceful failover-hard
           proxy-without-vip replies-via-lb arp-announce vip6-on-lan
           split-brain failover-link-down flapping vrid-collision
           vrrp3-ipv4 fast-interval unicast-peers use-vmac auth-pass)
LOCK=${DRC_LAB_LOCK:-/tmp/drc-lab.lock}

VIP4=198.51.100.10
VIP6=2001:db8:1::10
# node -> LAN MAC / IPv4 / IPv6 (router = LAN side)
declare -A MAC=([router]=02:00:00:00:00:01 [lb1]=02:00:00:00:00:11 [lb2]=02:00:00:00:00:12
                [lb3]=02:00:00:00:00:13 [lb4]=02:00:00:00:00:14
                [rs1]=02:00:00:00:00:21 [rs2]=02:00:00:00:00:22 [mon]=02:00:00:00:00:fe)
declare -A IP4=([router]=198.51.100.1 [lb1]=198.51.100.2 [lb2]=198.51.100.3 [lb3]=198.51.100.4 [lb4]=198.51.100.5
                [rs1]=198.51.100.21 [rs2]=198.51.100.22)
declare -A IP6=([router]=2001:db8:1::1 [lb1]=2001:db8:1::2 [lb2]=2001:db8:1::3 [lb3]=2001:db8:1::4 [lb4]=2001:db8:1::5
                [rs1]=2001:db8:1::21 [rs2]=2001:db8:1::22)
CLIENT_MAC=02:00:00:00:01:00 ROUTER_CMAC=02:00:00:00:01:01
CLIENT4=203.0.113.100 CLIENT6=2001:db8:2::100 ROUTER_C4=203.0.113.1 ROUTER_C6=2001:db8:2::1

log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 3; }
nsx() { local n=$1; shift; ip netns exec "drc-$n" "$@"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "drc-$1"; }

# The lab lock. Reused when an ancestor (flock(1) passes its descriptor on) already holds it.
take_lock() {
  local fd
  [ -n "${DRC_LAB_LOCK_HELD:-}" ] && return 0
  for fd in /proc/$$/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] || continue
    if flock -n "${fd##*/}"; then export DRC_LAB_LOCK_HELD=1; return 0; fi
  done
  exec 9>>"$LOCK"
  if ! flock -n 9; then
    log "waiting for the lab lock $LOCK (held by pid $(awk -v i=":$(stat -c %i "$LOCK") " 'index($0, i) {print $5}' /proc/locks | head -1))"
    flock -w "${DRC_LAB_LOCK_WAIT:-1800}" 9 || die "lab lock $LOCK still held after ${DRC_LAB_LOCK_WAIT:-1800}s"
  fi
  export DRC_LAB_LOCK_HELD=1
}

need_root() { [ "$(id -u)" = 0 ] || die "needs root"; }
need_tools() {
  local t missing=()
  for t in ip nft keepalived tcpdump tshark editcap dumpcap socat ping; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: run scripts/setup-system.sh"
}

# ---------------------------------------------------------------- down
# Kills every process living in a drc-* namespace (only this lab starts processes there),
# the traffic loop, then deletes the namespaces. Idempotent.
cmd_down() {
  local n pids pid tries
  if [ -f "$RUN/traffic.pid" ]; then
    pid=$(cat "$RUN/traffic.pid"); kill "$pid" 2>/dev/null || true; rm -f "$RUN/traffic.pid"
  fi
  for n in "${NODES[@]}"; do
    ns_exists "$n" || continue
    pids=$(ip netns pids "drc-$n" 2>/dev/null || true)
    [ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true
  done
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    pids=""
    for n in "${NODES[@]}"; do ns_exists "$n" && pids+=" $(ip netns pids "drc-$n" 2>/dev/null || true)"; done
    [ -z "${pids// /}" ] && break
    sleep 0.2
  done
  for n in "${NODES[@]}"; do
    ns_exists "$n" || continue
    pids=$(ip netns pids "drc-$n" 2>/dev/null || true)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  done
  for n in "${NODES[@]}"; do
    ns_exists "$n" && ip netns del "drc-$n"
  done
  rm -f "$RUN"/*.pid "$RUN"/*/*.pid "$RUN/scenario" 2>/dev/null || true
  log "down: no drc-* namespaces left"
}

# ---------------------------------------------------------------- topology
mkns() {
  local n=$1
  ip netns add "drc-$n"
  nsx "$n" ip link set lo up
  # addresses usable at once: no duplicate address detection
  nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
                      net.ipv6.conf.default.dad_transmits=0
}

# veth from the bridge namespace: port p-NODE on br0 <-> eth0 (or IFNAME) in drc-NODE
lan_port() {
  local n=$1 ifname=${2:-eth0} portmac
  portmac="02:00:00:00:fe:${MAC[$n]##*:}"
  ip -n drc-lan link add "p-$n" address "$portmac" type veth peer name "$ifname" netns "drc-$n" address "${MAC[$n]}"
  ip -n drc-lan link set "p-$n" master br0 up
}

build_topology() {
  local n
  for n in client router lan mon lb1 lb2 rs1 rs2; do mkns "$n"; done
  # the bridge and the monitor port stay silent: no IPv6, no addresses
  for n in lan mon; do
    nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n drc-lan link add br0 address 02:00:00:00:fe:00 type bridge stp_state 0 ageing_time 0 \
     mcast_snooping 0 forward_delay 0
  ip -n drc-lan link set br0 up
  for n in router lb1 lb2 rs1 rs2 mon; do
    if [ "$n" = router ]; then lan_port router eth1; else lan_port "$n"; fi
  done

  # client <-> router (point to point)
  ip -n drc-client link add eth0 address $CLIENT_MAC type veth peer name eth0 netns drc-router address $ROUTER_CMAC
  nsx client ip addr add $CLIENT4/24 dev eth0
  nsx client ip addr add $CLIENT6/64 dev eth0 nodad
  nsx client ip link set eth0 up
  nsx client ip route add default via $ROUTER_C4
  nsx client ip -6 route add default via $ROUTER_C6

  nsx router sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  nsx router ip addr add $ROUTER_C4/24 dev eth0
  nsx router ip addr add $ROUTER_C6/64 dev eth0 nodad
  nsx router ip addr add "${IP4[router]}/24" dev eth1
  nsx router ip addr add "${IP6[router]}/64" dev eth1 nodad
  nsx router ip link set eth0 up
  nsx router ip link set eth1 up

  nsx mon ip link set eth0 up
  for n in lb1 lb2 rs1 rs2; do
    nsx "$n" ip addr add "${IP4[$n]}/24" dev eth0
    nsx "$n" ip addr add "${IP6[$n]}/64" dev eth0 nodad
    nsx "$n" ip link set eth0 up
    nsx "$n" ip route add default via "${IP4[router]}"
    nsx "$n" ip -6 route add default via "${IP6[router]}"
  done
}

setup_lb() {
  nsx "$1" nft -D "LB_MAC=${MAC[$1]}" -f "$NFT_FILE"
  setup_ka "$1"
}
# the keepalived configuration of NODE for SCENARIO: lab/keepalived/NODE.conf, changed for the
# VRRP variants (the file written to $RUN/NODE/keepalived.conf is the one keepalived reads)
ka_conf() {
  local n=$1 s=$2 peer
  case $n in lb1) peer=lb2 ;; lb2) peer=lb1 ;; *) cat "$KA_DIR/$n.conf"; return ;; esac
  awk -v s="$s" -v own4="${IP4[$n]}" -v own6="${IP6[$n]}" -v peer4="${IP4[$peer]}" -v peer6="${IP6[$peer]}" '
    /vrrp_version 2/ && (s == "vrrp3-ipv4" || s == "fast-interval") { sub(/vrrp_version 2/, "vrrp_version 3") }
    /advert_int 1/ && s == "fast-interval" { sub(/advert_int 1/, "advert_int 0.1") }
    /^vrrp_instance/ { inst = $2 }
    / dev eth0$/ && s == "use-vmac" { sub(/ dev eth0$/, "") }   # VIPs go on the vrrp.VRID interface
    { print }
    /^ *interface eth0/ {
      if (s == "use-vmac") print "    use_vmac"
      if (s == "unicast-peers" && inst == "VI_4") print "    unicast_src_ip " own4 "\n    unicast_peer {\n        " peer4 "\n    }"
      if (s == "unicast-peers" && inst == "VI_6") print "    unicast_src_ip " own6 "\n    unicast_peer {\n        " peer6 "\n    }"
      if (s == "auth-pass" && inst == "VI_4") print "    authentication {\n        auth_type PASS\n        auth_pass drcheck1\n    }"
    }' "$KA_DIR/$n.conf"
}

setup_ka() {
  local n=$1 d="$RUN/$1"
  mkdir -p "$d"
  # -P VRRP only, -n foreground (we background it), -l -D log detail to the console -> log file
  ka_conf "$n" "$(cat "$RUN/scenario" 2>/dev/null || echo healthy)" >"$d/keepalived.conf"
  nsx "$n" keepalived -P -n -l -D -G -f "$d/keepalived.conf" \
      -p "$d/keepalived.pid" -r "$d/vrrp.pid" -c "$d/checkers.pid" >"$d/keepalived.log" 2>&1 &
  echo $! >"$d/keepalived.launch.pid"
}

# proxy: VIP on lo, no ARP for it, services
setup_rs() {
  local n=$1 scenario=$2 d="$RUN/$1" ign=1
  local ann=2 vip6dev=lo
  mkdir -p "$d"
  if [ "$n" = rs1 ]; then
    case $scenario in
      arp-leak) ign=0 ;;
      arp-announce) ann=0 ;;
      vip6-on-lan) vip6dev=eth0 ;;
    esac
  fi
  if [ "$scenario" = proxy-without-vip ] && [ "$n" = rs1 ]; then
    : # the fault: no VIP anywhere on rs1, requests forwarded to it die in its IP stack
  else
    nsx "$n" ip addr add $VIP4/32 dev lo
    nsx "$n" ip addr add $VIP6/128 dev $vip6dev nodad
  fi
  nsx "$n" sysctl -qw net.ipv4.conf.all.arp_ignore=$ign net.ipv4.conf.eth0.arp_ignore=$ign \
                      net.ipv4.conf.all.arp_announce=$ann net.ipv4.conf.eth0.arp_announce=$ann
  if [ "$scenario" = replies-via-lb ] && [ "$n" = rs1 ]; then
    # NAT-era routing: rs1's default gateway is lb1 (which forwards the replies to the router)
    nsx "$n" sysctl -qw net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.eth0.accept_redirects=0 \
                        net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.eth0.accept_redirects=0
    nsx "$n" ip route replace default via "${IP4[lb1]}"
    nsx "$n" ip -6 route replace default via "${IP6[lb1]}"
  fi
  # TCP 25: banner, wildcard dual-stack listener (the kernel answers from the address the SYN
  # was sent to, i.e. the VIP)
  nsx "$n" socat -lf "$d/smtp.log" TCP6-LISTEN:25,ipv6only=0,reuseaddr,fork,backlog=64 \
      EXEC:"$LAB_ROOT/lab/smtp-banner.sh $n" </dev/null >/dev/null 2>&1 &
  # UDP 53: echo. Healthy: bound to the VIP, so replies leave from the VIP.
  # udp-wrong-source on rs1: bound to the wildcard without IP_PKTINFO -> the kernel picks the
  # source by route: rs1's own address 198.51.100.21 / 2001:db8:1::21.
  local b4=",bind=$VIP4" b6=",bind=[$VIP6]"
  if [ "$n" = rs1 ] && [[ $scenario =~ ^(udp-wrong-source|proxy-without-vip)$ ]]; then b4="" b6=""; fi
  nsx "$n" socat -T 1 -lf "$d/udp4.log" "UDP4-RECVFROM:53${b4},reuseaddr,fork" PIPE </dev/null >/dev/null 2>&1 &
  nsx "$n" socat -T 1 -lf "$d/udp6.log" "UDP6-RECVFROM:53${b6},ipv6only=1,reuseaddr,fork" PIPE </dev/null >/dev/null 2>&1 &
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
  local t=$1 what=$2 i; shift 2
  for ((i = 0; i < t * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "timed out after ${t}s waiting for $what"
}
has_vips() { local out; out=$(nsx "$1" ip addr show | grep -v ' lo$'); grep -q " $VIP4/32" <<<"$out" && grep -q " $VIP6/128" <<<"$out"; }
has_addr() { nsx "$1" ip addr show dev eth0 | grep -q " $2 "; }
listening() { nsx "$1" ss -lntu | grep -q ':25 ' && [ "$(nsx "$1" ss -lnu | grep -c ':53 ')" -ge 2 ]; }

cmd_up() {
  local scenario=${1:-healthy} n
  valid_scenario "$scenario"
  need_root; need_tools
  cmd_down >/dev/null 2>&1 || true
  mkdir -p "$RUN"
  echo "$scenario" >"$RUN/scenario"
  log "up: $scenario"
  build_topology
  for n in rs1 rs2; do setup_rs "$n" "$scenario"; done
  if [ "$scenario" = replies-via-lb ]; then
    # lb1 routes what rs1 sends it: forwarding on, source = its own VIP accepted, no redirects
    nsx lb1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
        net.ipv4.conf.all.accept_local=1 net.ipv4.conf.eth0.accept_local=1 \
        net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0
  fi
  # lb2 first so it is listening when lb1 announces itself as master
  setup_lb lb2; setup_lb lb1
  if [ "$scenario" = vrid-collision ]; then
    # a third, unrelated pair on the LAN with the same VRID 51 and another address
    for n in lb3 lb4; do
      mkns "$n"; lan_port "$n"
      nsx "$n" ip addr add "${IP4[$n]}/24" dev eth0
      nsx "$n" ip link set eth0 up
    done
    # lb3 (their master) first, lb4 once lb3 holds the address, so the pair starts the same way
    # each time. Later either backup (lb2 or lb4) may still promote itself for an advert: the two
    # masters' adverts delay each other (gaps up to 3 s seen), as fixtures/lab/README.md describes
    setup_ka lb3
    wait_for 15 "198.51.100.50 on lb3 eth0 (the other cluster's master)" has_addr lb3 198.51.100.50/32
    setup_ka lb4
  fi
  wait_for 15 "VIPs on lb1 eth0 (VRRP master)" has_vips lb1
  for n in rs1 rs2; do wait_for 5 "services on $n" listening "$n"; done
  sleep 1
  has_vips lb2 && die "lb2 also holds the VIPs: VRRP not converged"
  if [ "$scenario" = vrid-collision ] && has_addr lb4 198.51.100.50/32; then
    die "lb4 also holds 198.51.100.50: the other cluster's VRRP not converged"
  fi
  log "up: $scenario ready (lb1 master, VIPs on lb1 eth0)"
}

valid_scenario() {
  local s
  for s in "${SCENARIOS[@]}"; do [ "$s" = "$1" ] && return 0; done
  die "unknown scenario '$1' (one of: ${SCENARIOS[*]})"
}

# ---------------------------------------------------------------- traffic
flush_neigh() {
  nsx router ip neigh flush dev eth1 || true
  nsx router ip -6 neigh flush dev eth1 || true
  nsx client ip neigh flush dev eth0 || true
  nsx client ip -6 neigh flush dev eth0 || true
  if [ "$(cat "$RUN/scenario" 2>/dev/null)" = arp-announce ]; then
    # rs1 must resolve its gateway while it replies from the VIP
    nsx rs1 ip neigh flush dev eth0 || true
  fi
}

# a DNS query "mail.example. A" with transaction id $1 (the proxies echo it back unchanged)
dns_query() {
  local id; id=$(printf '\\x%02x\\x%02x' $(($1 >> 8 & 255)) $(($1 & 255)))
  printf "${id}\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04mail\x07example\x00\x00\x01\x00\x01"
}

# one round: 2 TCP connections reading the banner, 2 UDP queries, 2 pings (v4 + v6 each)
traffic_round() {
  local i=$1 out="$RUN/traffic"
  ( r=$(nsx client timeout 3 socat -u TCP4:$VIP4:25,connect-timeout=2 STDOUT 2>/dev/null | tr -d '\r') ; echo "tcp4 $i ${r:-FAIL}" >>"$out.log" ) &
  ( r=$(nsx client timeout 3 socat -u "TCP6:[$VIP6]:25,connect-timeout=2" STDOUT 2>/dev/null | tr -d '\r') ; echo "tcp6 $i ${r:-FAIL}" >>"$out.log" ) &
  ( n=$(dns_query $((0x4400 + i)) | nsx client timeout 2 socat -T 1 - UDP4:$VIP4:53 2>/dev/null | wc -c) ; [ "$n" -gt 0 ] && r="${n}B" || r=FAIL; echo "udp4 $i $r" >>"$out.log" ) &
  ( n=$(dns_query $((0x6600 + i)) | nsx client timeout 2 socat -T 1 - "UDP6:[$VIP6]:53" 2>/dev/null | wc -c) ; [ "$n" -gt 0 ] && r="${n}B" || r=FAIL; echo "udp6 $i $r" >>"$out.log" ) &
  ( nsx client ping -n -q -c 1 -W 1 $VIP4 >/dev/null 2>&1 && r=ok || r=FAIL; echo "ping4 $i $r" >>"$out.log" ) &
  ( nsx client ping -6 -n -q -c 1 -W 1 $VIP6 >/dev/null 2>&1 && r=ok || r=FAIL; echo "ping6 $i $r" >>"$out.log" ) &
}

cmd_traffic() {
  local secs=${1:-10} i start
  [[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 1 ] && [ "$secs" -le 300 ] || die "traffic SECONDS: 1..300"
  ns_exists client || die "lab is not up (lab.sh up)"
  : >"$RUN/traffic.log"
  flush_neigh
  start=$(date +%s.%N)
  for ((i = 0; i < secs; i++)); do
    traffic_round "$i"
    # keep a 1 s period independent of how long the round's children take
    sleep "$(awk -v s="$start" -v i="$i" -v now="$(date +%s.%N)" 'BEGIN{d=s+i+1-now; if(d<0)d=0; printf "%.3f", d}')"
  done
  wait
  traffic_summary
}

traffic_summary() {
  local k
  for k in tcp4 tcp6 udp4 udp6 ping4 ping6; do
    printf '%s ok=%s fail=%s  ' "$k" \
      "$(awk -v k=$k '$1==k && $3!="FAIL"' "$RUN/traffic.log" | wc -l)" \
      "$(awk -v k=$k '$1==k && $3=="FAIL"' "$RUN/traffic.log" | wc -l)"
  done
  echo
  awk '$1 ~ /^tcp/ && $3 != "FAIL" {print $1, $4}' "$RUN/traffic.log" | sort | uniq -c | sed 's/^/  banners from: /'
}

# ---------------------------------------------------------------- captures
# point -> namespace, interface, tool, file
declare -A CAP_NS=([lan]=mon [lb1]=lb1 [lb2]=lb2 [rs1-ns]=rs1 [rs1-any]=rs1)
declare -A CAP_FILE=([lan]=lan.pcapng [lb1]=lb1.pcap [lb2]=lb2.pcap [rs1-ns]=rs1-ns.pcap [rs1-any]=rs1-any.pcap)

# What a switch port would deliver to a host: its own unicast + broadcast + multicast
# (the hub LAN floods everything to every port; host captures filter the rest away).
host_filter() { echo "ether host ${MAC[$1]} or ether broadcast or ether multicast"; }

start_capture() {
  local point=$1 out=$2 err="$RUN/cap-$1.err" raw
  # started as plain background commands (not through a shell function) so that $! is the
  # capture process itself (ip netns exec execs it) and it can be stopped cleanly by pid
  case $point in
    lan)     ip netns exec drc-mon dumpcap -q -i eth0 -w "$out" >/dev/null 2>"$err" & ;;
    lb1|lb2) ip netns exec "drc-$point" tcpdump -Z root -U -n -i eth0 -w "$out" "$(host_filter "$point")" >/dev/null 2>"$err" & ;;
    rs1-ns)  ip netns exec drc-rs1 tcpdump -Z root -U -n -i eth0 --time-stamp-precision=nano -w "$out" "$(host_filter rs1)" >/dev/null 2>"$err" & ;;
    rs1-any) raw="$RUN/rs1-any.raw.pcap"
             ip netns exec drc-rs1 tcpdump -Z root -U -n -i any -y LINUX_SLL2 -w "$raw" >/dev/null 2>"$err" & ;;
  esac
  echo $! >"$RUN/cap-$point.pid"
  wait_for 5 "capture $point to start" grep -qiE 'listening on|capturing on' "$err"
}

stop_captures() {
  local f pid
  for f in "$RUN"/cap-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f"); kill -TERM "$pid" 2>/dev/null || true   # both tools flush and close on SIGTERM
  done
  for f in "$RUN"/cap-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$f"
  done
}

# ---------------------------------------------------------------- events
vrrp_pid() { cat "$RUN/$1/vrrp.pid"; }
parent_pid() { cat "$RUN/$1/keepalived.pid"; }
check_in_ns() { # refuse to signal a pid that does not live in drc-NODE
  ip netns identify "$2" 2>/dev/null | grep -qx "drc-$1" || die "pid $2 is not in drc-$1"
}

event_graceful() {
  local p; p=$(parent_pid lb1); check_in_ns lb1 "$p"
  log "event: SIGTERM keepalived on lb1 (pid $p)"
  date -u +%FT%T.%NZ >"$RUN/event.time"
  kill -TERM "$p"
}

event_hard() {
  local p v; p=$(parent_pid lb1); v=$(vrrp_pid lb1); check_in_ns lb1 "$p"; check_in_ns lb1 "$v"
  log "event: SIGKILL keepalived on lb1 (parent $p, vrrp child $v)"
  date -u +%FT%T.%NZ >"$RUN/event.time"
  # stop the parent first so it can neither respawn the child nor pass a SIGTERM on
  kill -STOP "$p"; kill -KILL "$v"; kill -KILL "$p"
}

# ---------------------------------------------------------------- record
# the scenario's event, timed from the start of the client traffic (run in the foreground)
scenario_events() {
  case $1 in
    failover-graceful)
      sleep 4; event_graceful ;;
    failover-hard)
      sleep 3; event_hard
      wait_for 8 "lb2 to take over the VIPs" has_vips lb2
      sleep 1.5   # let the GARP burst pass, then make the router ask again: both LBs answer
      log "event: flush router neighbour cache after takeover"
      nsx router ip neigh flush dev eth1; nsx router ip -6 neigh flush dev eth1
      date -u +%FT%T.%NZ >"$RUN/flush.time" ;;
    split-brain)
      sleep 3
      log "event: lb2's host firewall drops incoming VRRP"
      date -u +%FT%T.%NZ >"$RUN/event.time"
      nsx lb2 nft -f - <<'NFT'
table inet drc_fw {
  chain input { type filter hook input priority filter; policy accept; ip protocol vrrp drop; ip6 nexthdr vrrp drop; }
}
NFT
      ;;
    failover-link-down)
      sleep 3
      log "event: ip link set eth0 down on lb1"
      date -u +%FT%T.%NZ >"$RUN/event.time"
      nsx lb1 ip link set eth0 down ;;
    flapping)
      local k p
      # keepalived starts as backup and preempts only after Master_Down_Interval (~3.4 s)
      for k in 1 2; do
        sleep 2; p=$(parent_pid lb1); event_graceful; echo "SIGTERM $k: $(cat "$RUN/event.time")" >>"$RUN/flush.time"
        # a second keepalived refuses to start while the first one's pid file is live
        wait_for 5 "keepalived on lb1 to exit" bash -c "! kill -0 $p"
        sleep 0.5; log "event: keepalived on lb1 started again"; setup_ka lb1
        echo "restart $k: $(date -u +%FT%T.%NZ)" >>"$RUN/flush.time"
        wait_for 8 "lb1 to preempt" has_vips lb1
      done ;;
    vrrp3-ipv4)
      sleep 3; event_graceful ;;
    unicast-peers|use-vmac|auth-pass)
      # after lb1's second GARP burst (vrrp_garp_master_delay 5 s after it became master, ≈ +3 s
      # here): vrrp3-ipv4 at +3 s shows what drcheck makes of a burst 1 s before a handover
      sleep 4.5; event_graceful ;;
    fast-interval)
      sleep 3; event_hard ;;
    arp-announce)
      sleep 5   # a second time: rs1 forgets its gateway again while it keeps replying
      log "event: flush rs1's neighbour cache"
      nsx rs1 ip neigh flush dev eth0
      date -u +%FT%T.%NZ >"$RUN/flush.time" ;;
  esac
}

cmd_record() {
  local s=$1 out points dur pt tr_pid
  valid_scenario "$s"
  out="$FIX/$s"
  case $s in
    healthy|arp-leak|udp-wrong-source) dur=10; points=(lan lb1 rs1-ns rs1-any) ;;
    failover-graceful) dur=12; points=(lan lb1 lb2 rs1-ns rs1-any) ;;
    failover-hard)     dur=15; points=(lan lb1 lb2 rs1-ns rs1-any) ;;
    split-brain|failover-link-down|vrid-collision) dur=10; points=(lan) ;;
    flapping)          dur=17; points=(lan) ;;
    vrrp3-ipv4|fast-interval|unicast-peers|use-vmac|auth-pass) dur=8; points=(lan) ;;
    *)                 dur=8; points=(lan lb1 rs1-ns) ;;
  esac
  take_lock
  trap 'stop_captures; cmd_down' EXIT
  cmd_up "$s"
  mkdir -p "$out"
  rm -f "$out"/*.pcap "$out"/*.pcapng "$RUN/rs1-any.raw.pcap" "$RUN/event.time" "$RUN/flush.time"
  for pt in "${points[@]}"; do start_capture "$pt" "$out/${CAP_FILE[$pt]}"; done
  sleep 1
  log "record $s: traffic ${dur}s"
  cmd_traffic "$dur" >"$RUN/traffic.summary" &
  tr_pid=$!
  scenario_events "$s"
  wait "$tr_pid"
  sleep 1
  stop_captures
  {
    echo "scenario: $s"
    echo "recorded: $(date -u +%FT%TZ) by scripts/lab.sh record $s"
    echo "versions: $(keepalived --version 2>&1 | head -1); kernel $(uname -r); $(tcpdump --version 2>&1 | head -1); $(tshark -v 2>/dev/null | head -1)"
    [ -f "$RUN/event.time" ] && echo "event ($s) at: $(cat "$RUN/event.time")"
    [ -f "$RUN/flush.time" ] && echo "later events: $(tr "\n" " " <"$RUN/flush.time")"
    echo "client traffic (${dur}s):"
    cat "$RUN/traffic.summary"
  } >"$out/record.log"
  rm -f "$RUN/event.time" "$RUN/flush.time"
  cat "$out/record.log"
  if [ -f "$RUN/rs1-any.raw.pcap" ]; then
    # drop PACKET_OTHERHOST (pkttype 3): frames the hub flooded to rs1 for other hosts
    tshark -r "$RUN/rs1-any.raw.pcap" -Y 'sll.pkttype != 3' -F pcap -w "$out/rs1-any.pcap" 2>/dev/null
  fi
  cmd_down
  trap - EXIT
  chmod 0644 "$out"/*
  for pt in "${points[@]}"; do
    printf '  %-28s %7s bytes  %5s frames\n' "$s/${CAP_FILE[$pt]}" "$(stat -c %s "$out/${CAP_FILE[$pt]}")" \
      "$(tshark -r "$out/${CAP_FILE[$pt]}" 2>/dev/null | wc -l)"
  done
}

cmd_record_all() {
  local s
  for s in "${SCENARIOS[@]}"; do "$0" record "$s"; done
}

# ---------------------------------------------------------------- status, exec, run-during-traffic
cmd_status() {
  local n
  if ! ns_exists lan; then echo "lab is down"; return 0; fi
  echo "scenario: $(cat "$RUN/scenario" 2>/dev/null || echo '?')"
  echo "namespaces: $(ip netns list | awk '/^drc-/{print $1}' | tr '\n' ' ')"
  for n in lb1 lb2; do
    ns_exists "$n" || continue
    printf '%s: keepalived %s; VIPs on eth0: %s\n' "$n" \
      "$( [ -f "$RUN/$n/vrrp.pid" ] && kill -0 "$(cat "$RUN/$n/vrrp.pid")" 2>/dev/null && echo running || echo 'not running')" \
      "$(nsx "$n" ip -br addr show dev eth0 | tr ' ' '\n' | grep -E "^($VIP4|$VIP6)/" | tr '\n' ' ')"
    grep -E 'Entering (MASTER|BACKUP|FAULT)' "$RUN/$n/keepalived.log" 2>/dev/null | tail -2 | sed 's/^/    /'
    nsx "$n" nft list chain netdev drc_dr ingress_eth0 | grep counter | sed 's/^\s*/    nft: /' | cut -c1-90
  done
  for n in rs1 rs2; do
    printf '%s: lo %s; arp_ignore=%s; listening %s\n' "$n" \
      "$(nsx "$n" ip -br addr show dev lo | cut -c40-)" \
      "$(nsx "$n" sysctl -n net.ipv4.conf.eth0.arp_ignore)" \
      "$(nsx "$n" ss -lntuH | awk '{print $1":"$5}' | tr '\n' ' ')"
  done
  echo "router neighbours:"; nsx router ip neigh show dev eth1 | sed 's/^/    /'
}

cmd_exec() {
  local n=${1:?node}; shift
  ns_exists "$n" || die "no namespace drc-$n (lab up?)"
  exec ip netns exec "drc-$n" "$@"
}

# packet sockets in drc-NODE with a filter in place (libpcap first installs a 1-instruction
# drop-all filter `ret #0`, drains the socket, then the real one: only then is a capture open)
open_captures() { nsx "$1" ss -0 -b -a -n 2>/dev/null | grep 'bpf filter' | grep -vc 'bpf filter (1): *0x06 0 0 0,$' || true; }

cmd_run_during_traffic() {
  local s=${1:?scenario} n=${2:?node} rc=0 tr_pid cmd_pid i base; shift 2
  [ $# -ge 1 ] || die "usage: lab.sh run-during-traffic SCENARIO NODE CMD..."
  take_lock
  trap 'stop_captures; cmd_down' EXIT
  cmd_up "$s"
  if [ -n "${DRC_LAB_TCPDUMP:-}" ]; then
    # the same point recorded by tcpdump (kernel timestamps, ns) while CMD captures
    ip netns exec "drc-$n" tcpdump -Z root -U -n -i eth0 --time-stamp-precision=nano -w "$DRC_LAB_TCPDUMP" \
      >/dev/null 2>"$RUN/cap-tcpdump.err" &
    echo $! >"$RUN/cap-tcpdump.pid"
    wait_for 5 "tcpdump to start" grep -qi 'listening on' "$RUN/cap-tcpdump.err"
  fi
  # the command starts first (a capture sees the neighbour-cache flush and the ARP/NS for the
  # VIP that follow it); the traffic starts once its capture is open
  base=$(open_captures "$n")
  ip netns exec "drc-$n" "$@" &
  cmd_pid=$!
  if [ -n "${DRC_LAB_CMD_LEAD:-}" ]; then
    sleep "$DRC_LAB_CMD_LEAD"
  else
    for ((i = 0; i < 100; i++)); do
      [ "$(open_captures "$n")" -gt "$base" ] && break
      kill -0 "$cmd_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ "$i" -lt 100 ]; then log "run-during-traffic: the command's capture is open after $((i * 100)) ms"
    else log "run-during-traffic: no capture socket of the command after 10 s, starting traffic anyway"; fi
    # e.g. 1.5: let the capture see a VRRP advert (1 s interval) before the traffic, for a
    # command that learns the VIPs from the adverts
    [ -z "${DRC_LAB_AFTER_OPEN:-}" ] || sleep "$DRC_LAB_AFTER_OPEN"
  fi
  tr_pid=""
  if kill -0 "$cmd_pid" 2>/dev/null; then
    cmd_traffic "${DRC_LAB_TRAFFIC_SECONDS:-20}" >"$RUN/traffic.summary" &
    tr_pid=$!
    [ -n "${DRC_LAB_NO_EVENT:-}" ] || scenario_events "$s"
  fi
  wait "$cmd_pid" || rc=$?
  [ -z "$tr_pid" ] || kill "$tr_pid" 2>/dev/null || true
  stop_captures
  cmd_down
  trap - EXIT
  log "run-during-traffic: command exited $rc"
  return "$rc"
}

cmd_replay() {
  local file=${1:?pcap file} rc=0 cmd_pid base i; shift
  [ $# -ge 1 ] || die "usage: lab.sh replay FILE CMD..."
  [ -r "$file" ] || die "cannot read $file"
  command -v tcpreplay >/dev/null || die "missing tcpreplay: run scripts/setup-system.sh"
  take_lock
  trap 'cmd_down' EXIT
  cmd_down >/dev/null 2>&1 || true
  mkns replay
  nsx replay sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n drc-replay link add r0 type veth peer name r1
  ip -n drc-replay link set r0 up; ip -n drc-replay link set r1 up
  base=$(open_captures replay)
  ip netns exec drc-replay "$@" &
  cmd_pid=$!
  for ((i = 0; i < 100; i++)); do
    [ "$(open_captures replay)" -gt "$base" ] && break
    kill -0 "$cmd_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "replay: the command's capture is open after $((i * 100)) ms; tcpreplay $file into r0"
  nsx replay tcpreplay -q -i r0 "$file" >"$RUN/tcpreplay.log" 2>&1 || log "tcpreplay failed: $(tail -1 "$RUN/tcpreplay.log")"
  wait "$cmd_pid" || rc=$?
  cmd_down
  trap - EXIT
  return "$rc"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

main() {
  local c=${1:-help}; shift || true
  case $c in
    up) need_root; take_lock; cmd_up "$@" ;;
    down) need_root; cmd_down ;;
    traffic) need_root; cmd_traffic "$@" ;;
    record) need_root; need_tools; cmd_record "${1:?scenario}" ;;
    record-all) need_root; take_lock; cmd_record_all ;;
    exec) need_root; cmd_exec "$@" ;;
    status) need_root; cmd_status ;;
    run-during-traffic|live-check) need_root; cmd_run_during_traffic "$@" ;;
    replay) need_root; mkdir -p "$RUN"; cmd_replay "$@" ;;
    scenarios) printf '%s\n' "${SCENARIOS[@]}" ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 3 ;;
  esac
}
# one line: bash reads a script as it runs it; `exit` on the same line keeps an edit of this file
# during a long run from being read as more commands once main returns
main "$@"; exit $?
