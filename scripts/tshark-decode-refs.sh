#!/usr/bin/env bash
# Writes tshark's own decode of the public fixture captures as TSV reference files
# (fixtures/public/tshark/<capture>.<what>.tsv). test/decode/*.test.ts compare drcheck's
# Dissector with these frame by frame, so the expected values come from tshark, not from drcheck.
# Re-run after adding a capture (all files of fixtures/public and fixtures/lab/*/); commit the TSVs. Made with tshark 4.0.17.
#   what = l2 (every frame), arp, vrrp, nd (NS/NA), traffic (TCP/UDP/ICMP/ICMPv6)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Every public capture → fixtures/public/tshark/<capture>.<what>.tsv; every lab capture
# fixtures/lab/<scenario>/<capture> → fixtures/lab/tshark/<scenario>/<capture>.<what>.tsv.

# No reassembly: drcheck looks at each frame on its own.
OPTS=(-o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE
      -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=,)

ts() { # file what filter fields...
  local f=$1 what=$2 filter=$3; shift 3
  local args=()
  for e in "$@"; do args+=(-e "$e"); done
  local out="$outdir/$f.$what.tsv"
  tshark -r "$indir/$f" "${OPTS[@]}" ${filter:+-Y "$filter"} "${args[@]}" 2>/dev/null > "$out"
  echo "$f.$what.tsv: tshark -r $f ${OPTS[*]} ${filter:+-Y '$filter'} ${args[*]}" >> "$outdir/COMMANDS.txt"
  # keep only references with at least one frame (header-only = tshark found none)
  [ "$(wc -l < "$out")" -gt 1 ] || rm -f "$out"
}

decode() { # indir capture outdir
  local indir=$1 f=$2 outdir=$3
  mkdir -p "$outdir"
  ts "$f" l2 '' frame.number frame.cap_len frame.len eth.src eth.dst eth.type vlan.id ieee8021ad.id vlan.etype \
     sll.pkttype sll.halen sll.src.eth sll.etype _ws.malformed
  ts "$f" arp 'arp' frame.number arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode \
     arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4 arp.isgratuitous
  ts "$f" vrrp 'vrrp' frame.number ip.src ip.dst ip.ttl ipv6.src ipv6.dst ipv6.hlim vrrp.version vrrp.type \
     vrrp.virt_rtr_id vrrp.prio vrrp.addr_count vrrp.auth_type vrrp.adver_int vrrp.short_adver_int \
     vrrp.ip_addr vrrp.ipv6_addr vrrp.auth_string vrrp.checksum.status
  ts "$f" nd 'icmpv6.type==135 || icmpv6.type==136' frame.number ipv6.src ipv6.dst icmpv6.type \
     icmpv6.nd.ns.target_address icmpv6.nd.na.target_address icmpv6.opt.src_linkaddr icmpv6.opt.target_linkaddr \
     icmpv6.opt.linkaddr icmpv6.nd.na.flag.r icmpv6.nd.na.flag.s icmpv6.nd.na.flag.o
  ts "$f" traffic 'tcp || udp || icmp || icmpv6' frame.number ip.src ip.dst ipv6.src ipv6.dst ip.proto ipv6.nxt \
     tcp.srcport tcp.dstport tcp.flags tcp.len udp.srcport udp.dstport udp.length \
     icmp.type icmp.code icmp.ident icmpv6.type icmpv6.code icmpv6.echo.identifier
}

version=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([^ ]*\).*/\1/p')
rm -f "$root"/fixtures/public/tshark/COMMANDS.txt "$root"/fixtures/lab/tshark/*/COMMANDS.txt
for d in "$root"/fixtures/public/tshark "$root"/fixtures/lab/tshark/*/; do
  [ -d "$d" ] && echo "# tshark $version, written by scripts/tshark-decode-refs.sh: the command behind every <capture>.<what>.tsv" > "$d/COMMANDS.txt"
done
for p in "$root"/fixtures/public/*.pcap "$root"/fixtures/public/*.cap "$root"/fixtures/public/*.pcapng; do
  decode "$root/fixtures/public" "$(basename "$p")" "$root/fixtures/public/tshark"
done
for p in "$root"/fixtures/lab/*/*.pcap "$root"/fixtures/lab/*/*.pcapng; do
  s=$(basename "$(dirname "$p")")
  decode "$root/fixtures/lab/$s" "$(basename "$p")" "$root/fixtures/lab/tshark/$s"
done
