#!/usr/bin/env bash
# Writes tshark's view of every frame of the capture-reader fixtures as TSV reference files
# (fixtures/public/tshark/<capture>.tsv). test/capture/*.test.ts compare drcheck's pcap/pcapng
# readers with them frame by frame: timestamp, lengths, interface, encapsulation, and the MD5 of
# the captured bytes.
# Line 1 of each file is the exact command; line 2 the column names. Re-run after adding a
# capture to CAPTURES and commit the TSVs.
# Notes: tshark numbers every pcapng record, including custom blocks (shown with an empty
# frame.encap_type); drcheck numbers packets only. Frames without a timestamp (SPB) have an empty
# frame.time_epoch. pcap files have an empty frame.interface_id. frame.encap_type is Wireshark's
# WTAP_ENCAP_* number, not the LINKTYPE_* value.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/public"
mkdir -p tshark

CAPTURES=(
  packetlife-vrrp-failover.cap tcpdump-pptp-big-endian.pcap pcapplusplus-nanosecs-big-endian.pcap
  tcpdump-tcp-handshake-nano-sll.pcap ndpi-vrrp3-ipv6-vlan.pcapng pcapng-testgen-be-basic-test001.pcapng
  pcapng-testgen-le-basic-test006-two-linktypes.pcapng pcapplusplus-pcapng-example-eth-sll.pcapng
  pcapplusplus-many-interfaces-1.pcapng pcapng-testgen-be-difficult-test202-mixed-endian-shb.pcapng
  pcapng-testgen-le-advanced-test102-all-blocks.pcapng zeek-tcp-truncated-header.pcap
  ndpi-pop3-pcapng-content.pcap tcpdump-vrrp-print-oobr-2.pcap tcpdump-vrrp-print-oobr-frelay.pcap
  zeek-linux-dlt-sll2.pcap
)
FIELDS=(frame.number frame.time_epoch frame.len frame.cap_len frame.interface_id frame.encap_type frame.md5_hash)

version=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([^ ]*\).*/\1/p')
for f in "${CAPTURES[@]}"; do
  args=(-r "$f" -o frame.generate_md5_hash:TRUE -T fields -E header=y -E separator=/t)
  for e in "${FIELDS[@]}"; do args+=(-e "$e"); done
  {
    echo "# tshark ${version}: tshark ${args[*]}"
    tshark "${args[@]}" 2>/dev/null
  } > "tshark/$f.tsv"
done
