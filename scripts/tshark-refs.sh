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
root="$(cd "$(dirname "$0")/.." && pwd)"

# Every public capture (fixtures/public/*) → fixtures/public/tshark/<capture>.tsv, and every lab
# capture (fixtures/lab/<scenario>/*) → fixtures/lab/tshark/<scenario>/<capture>.tsv.
FIELDS=(frame.number frame.time_epoch frame.len frame.cap_len frame.interface_id frame.encap_type frame.md5_hash)

version=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([^ ]*\).*/\1/p')
ref() { # dir-of-capture capture out-file
  local args=(-r "$2" -o frame.generate_md5_hash:TRUE -T fields -E header=y -E separator=/t)
  for e in "${FIELDS[@]}"; do args+=(-e "$e"); done
  mkdir -p "$(dirname "$3")"
  ( cd "$1" && {
    echo "# tshark ${version}: tshark ${args[*]}"
    tshark "${args[@]}" 2>/dev/null
  } ) > "$3"
}

for p in "$root"/fixtures/public/*.pcap "$root"/fixtures/public/*.cap "$root"/fixtures/public/*.pcapng; do
  f=$(basename "$p")
  ref "$root/fixtures/public" "$f" "$root/fixtures/public/tshark/$f.tsv"
done
for p in "$root"/fixtures/lab/*/*.pcap "$root"/fixtures/lab/*/*.pcapng; do
  s=$(basename "$(dirname "$p")"); f=$(basename "$p")
  ref "$root/fixtures/lab/$s" "$f" "$root/fixtures/lab/tshark/$s/$f.tsv"
done
