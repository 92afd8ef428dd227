#!/usr/bin/env bash
# How fast can `drcheck verify -i` capture without losing packets? Replays a capture into one end
# of a veth pair (namespace drc-rate-tx) at increasing rates with tcpreplay while drcheck captures
# on the other end (namespace drc-rate-rx), and compares the packets drcheck analysed with the
# packets its BPF prefilter should have passed (tcpdump -r with the same filter on the same file).
#   bash scripts/live-rate.sh [CAPTURE] [RATES…]     (root; rates in packets/s, default 50k … 400k)
# The last columns are drcheck's own account: the packets libpcap says it dropped (pcap_stats) and
# the verdict (replayed faster than recorded, the VRRP timing of a failover capture fails; with
# drops the verdict is never pass).
# Traffic stays inside the two namespaces this script creates and removes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cap=${1:-$root/bench-data/proxy-v4-100000.pcap}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(50000 100000 150000 200000 300000 400000)
[ -f "$cap" ] || node "$root/scripts/bench-gen.mjs" --packets 100000 --out "$cap" >/dev/null
cleanup() { ip netns del drc-rate-tx 2>/dev/null || true; ip netns del drc-rate-rx 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add drc-rate-tx; ip netns add drc-rate-rx
ip link add veth-tx netns drc-rate-tx type veth peer name veth-rx netns drc-rate-rx
ip -n drc-rate-tx link set veth-tx up; ip -n drc-rate-rx link set veth-rx up
ip -n drc-rate-tx link set lo up; ip -n drc-rate-rx link set lo up
filter=$(node -e "import('$root/dist/capture/bpf.js').then(m=>console.log(m.buildFilter(['198.51.100.10','2001:db8:1::10'])))")
passed=$(mktemp)
tcpdump -r "$cap" -w "$passed" "$filter" 2>/dev/null
expected=$(capinfos -c -M "$passed" | awk '/Number of packets/ {print $NF}')
rm -f "$passed"
total=$(capinfos -c -M "$cap" | awk '/Number of packets/ {print $NF}')
echo "capture $cap: $total packets, $expected pass the prefilter"
printf '%-10s %-12s %-10s %-10s %-8s %-14s %s\n' rate/s actual-pps sent analysed lost% kernel-dropped verdict
for rate in "${rates[@]}"; do
  warm=${DRC_RATE_WARMUP:-2}
  # drcheck is stopped (SIGTERM: it ends the capture and reports) 1 s after tcpreplay is done;
  # --duration is only a cap. A duration computed from the requested rate cut the capture short
  # whenever tcpreplay fell behind that rate, and the missing tail looked like loss.
  secs=$(( 10 * total / rate + warm + 30 ))
  out=$(mktemp)
  ip netns exec drc-rate-rx node "$root/bin/run.js" verify -i veth-rx --duration "${secs}s" --vip 198.51.100.10 --vip 2001:db8:1::10 --json > "$out" 2>/dev/null &
  pid=$!
  sleep "$warm"
  actual=$(ip netns exec drc-rate-tx tcpreplay ${DRC_RATE_TCPREPLAY_OPTS:-} -i veth-tx --pps "$rate" "$cap" 2>&1 | awk '/Rated:/ {for (i=1;i<=NF;i++) if ($i ~ /pps/) print int($(i-1))}' | head -1)
  sleep 1
  kill -TERM $pid 2>/dev/null || true
  wait $pid || true
  read -r got dropped verdict < <(node -e "const d=JSON.parse(require('fs').readFileSync('$out','utf8'));const i=d.inputs[0];console.log(i.packets, i.kernel ? i.kernel.dropped + i.kernel.ifDropped : '?', d.verdict)")
  lost=$(node -e "console.log(((1-$got/$expected)*100).toFixed(2))")
  # drcheck's own count of what it lost (libpcap's pcap_stats) should match what is missing
  printf '%-10s %-12s %-10s %-10s %-8s %-14s %s\n' "$rate" "${actual:-?}" "$expected" "$got" "$lost" "$dropped" "$verdict"
  rm -f "$out"
done
