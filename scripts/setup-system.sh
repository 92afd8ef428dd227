#!/usr/bin/env bash
# Installs the system packages drcheck needs, only those missing.
#   libpcap-dev            : to build and load the `cap` capture binding
#   keepalived nftables    : the network-namespace lab
#   tcpdump tshark tcpreplay iproute2 : lab recording, reference decodes, VLAN replay
# Needs root (apt-get). Safe to run again: does nothing when all are present.
set -euo pipefail
pkgs=(libpcap-dev keepalived nftables tcpdump tshark tcpreplay iproute2 iputils-ping procps socat)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-system: missing ${missing[*]} and not root: install them with apt-get as root" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
