// The BPF prefilter for live capture: keep only what the checks need, tagged or not.
//   ARP; IPv6 neighbour discovery (ICMPv6 NS/NA); VRRP (IP protocol 112, v4 and v6);
//   traffic to or from the VIPs, and — because a wrong-source reply does not come from the VIP —
//   UDP, TCP SYN/RST segments and ICMP errors/echo to anywhere when VIPs are known.
// libpcap's `vlan` keyword moves the offsets past one tag, so the same expression is repeated
// nested behind one and two tags (802.1Q and 802.1ad/QinQ).

export function buildFilter(vips: string[]): string {
  const parts = ['arp', 'icmp6', 'ip proto 112', 'ip6 proto 112']
  if (vips.length > 0) {
    const hosts = vips.map((v) => `host ${v}`).join(' or ')
    parts.push(`(${hosts})`)
    // replies that leave with the wrong source, resets and unreachables: small, cheap to keep
    parts.push('udp', 'icmp', 'tcp[tcpflags] & (tcp-syn|tcp-rst) != 0', 'ip6 and tcp')
  } else {
    parts.push('tcp', 'udp', 'icmp')
  }
  // pcap-filter's `and` and `or` bind equally, left to right: bracket every part
  const base = parts.map((p) => `(${p})`).join(' or ')
  // `vlan` shifts the offsets for the rest of the expression, hence the nesting
  return `(${base}) or (vlan and ((${base}) or (vlan and (${base}))))`
}
