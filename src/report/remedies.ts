// A short explanation and the usual remedy for every finding kind: shown under a failing or
// warning finding in the human report and by `drcheck explain KIND`. test/report/remedies.test.ts iterates
// over FINDING_KINDS, so a new kind without an entry fails that test (not the build: engineers add
// kinds while others work).

import type {FindingKind} from '../checks/types.js'

export interface Remedy {
  /** which check reports it ('input' for problems with the capture itself) */
  check: 'source' | 'arp' | 'failover' | 'input'
  /** one line: what the finding means */
  what: string
  /** why it happens in an LVS-DR + keepalived setup */
  why: string
  /** the usual fix: commands and where they must be set */
  fix: string[]
}

const SYSCTLS = [
  'On every proxy, set both sysctls for "all" AND for the LAN interface (the kernel uses the larger of',
  'the two values), and make them persistent (/etc/sysctl.d/90-lvs-dr.conf):',
  '  net.ipv4.conf.all.arp_ignore = 1     net.ipv4.conf.eth0.arp_ignore = 1',
  '  net.ipv4.conf.all.arp_announce = 2   net.ipv4.conf.eth0.arp_announce = 2',
  '  sysctl --system',
]

const ENTRIES: Record<string, Remedy> = {
  'wrong-source': {
    check: 'source',
    what: 'a reply to a request for the VIP left with a source address other than the VIP',
    why: 'The service answers from the proxy\'s own address: typically a UDP daemon bound to 0.0.0.0 that replies from the primary address of the outgoing interface, or a service listening on the real IP only. The client drops a reply from an address it did not ask.',
    fix: [
      'Bind the service to the VIP explicitly (e.g. listen/bind 198.51.100.10 and [2001:db8:1::10]), or for',
      'UDP use a daemon that replies from the destination address (IP_PKTINFO / IPV6_RECVPKTINFO).',
      'Check: ss -lunp / ss -ltnp on the proxy must show the VIP (or 0.0.0.0 with pktinfo replies).',
    ],
  },
  reset: {
    check: 'source',
    what: 'the proxy answered a connection to the VIP with a TCP RST',
    why: 'Nothing listens on that port for the VIP: the service is down, bound to the real IP only, or a firewall rejects with tcp-reset.',
    fix: [
      'Start the service / bind it to the VIP or to 0.0.0.0 (ss -ltnp on the proxy).',
      'Check the proxy\'s firewall for a reject rule on the service port; remove the real server from the',
      'LB (ipvsadm -d / keepalived real_server health check) until it listens.',
    ],
  },
  unreachable: {
    check: 'source',
    what: 'the proxy answered a request to the VIP with ICMP destination unreachable',
    why: 'Port unreachable: nothing listens on the UDP port for the VIP. Admin prohibited: a firewall rejects it.',
    fix: [
      'Start the UDP service and bind it to the VIP (ss -lunp); check the firewall (nft list ruleset,',
      'iptables -S) for reject rules on the service port.',
    ],
  },
  unanswered: {
    check: 'source',
    what: 'requests for the VIP reached a proxy\'s MAC and no reply came within --reply-timeout',
    why: 'In DR the frame still carries the VIP as destination: a proxy without the VIP on lo drops it silently. Also: rp_filter dropping asymmetric traffic, a firewall drop rule, or the service hanging.',
    fix: [
      'On the proxy: ip addr add 198.51.100.10/32 dev lo (and 2001:db8:1::10/128), persistently.',
      'Check net.ipv4.conf.*.rp_filter (2 = loose, or 0) and the firewall; ip -s link for drops.',
    ],
  },
  'via-lb': {
    check: 'source',
    what: 'a reply from the VIP was sent to a load balancer\'s MAC instead of the gateway',
    why: 'The proxy\'s default route still points at the LB (NAT-era routing). In DR the replies must go straight to the normal gateway; through the LB they are dropped or break connection tracking.',
    fix: [
      'Set the gateway of the proxies to the LAN router, not the LB: ip route replace default via',
      '198.51.100.1 (and ip -6 route replace default via 2001:db8:1::1); fix the network config.',
    ],
  },
  nat: {
    check: 'source',
    what: 'on an LB, a frame to the VIP left with a rewritten destination IP address',
    why: 'The LB forwards in NAT (masquerading) mode, not Direct Routing.',
    fix: [
      'In keepalived.conf use lb_kind DR (or ipvsadm -g, "gatewaying") for every real_server, then',
      'reload keepalived; ipvsadm -Ln must show "Route" as forward method.',
    ],
  },
  'lb-view': {
    check: 'source',
    what: 'requests were forwarded to proxies and no reply passed this capture point (read as an LB\'s view)',
    why: 'On an LB this is normal: in DR the replies bypass it. On any other capture point it means the proxies are not answering.',
    fix: ['None if this is an LB\'s capture. Otherwise capture on a proxy or on the LAN to see the replies.'],
  },
  'real-server-answers': {
    check: 'arp',
    what: 'a proxy answered ARP (or IPv6 neighbour solicitation) for the VIP',
    why: 'The proxy holds the VIP on lo and Linux answers ARP for any local address on any interface by default. Routers may then send client traffic straight to that proxy, bypassing the LB.',
    fix: [
      ...SYSCTLS,
      'IPv6 has no arp_ignore: add the VIP to lo with "nodad" and as /128, and make sure it is not on',
      'the LAN interface (or drop NS/NA for the VIP with nftables on the proxy).',
    ],
  },
  'real-server-announces': {
    check: 'arp',
    what: 'a proxy sent an ARP request with the VIP as sender address',
    why: 'Without arp_announce=2 the kernel picks the VIP as source of its own ARP requests, which updates every neighbour\'s cache to the proxy\'s MAC for the VIP.',
    fix: SYSCTLS,
  },
  'stale-owner': {
    check: 'arp',
    what: 'a former VRRP master still claimed the VIP after another router took over',
    why: 'The old master did not remove the VIP (keepalived killed without cleanup, the VIP configured statically as well, or a second address manager).',
    fix: [
      'Now, on the old master: ip addr del VIP/32 dev IF (or start keepalived there, which removes',
      'it as backup); then find out why keepalived died (journalctl -u keepalived, dmesg for the OOM',
      'killer). For good: ip addr show must list the VIP only while keepalived is master — remove',
      'static VIP configuration (/etc/network/interfaces, netplan, NetworkManager).',
    ],
  },
  conflict: {
    check: 'arp',
    what: 'two MACs claimed the same VIP within one advertisement interval',
    why: 'Two hosts hold the VIP at once: split brain, a proxy with arp_ignore unset, or another host with the address.',
    fix: [
      'Find both MACs (the finding names them; arping -D -I eth0 VIP shows every responder), and remove',
      'the VIP from the one that is not the VRRP master.',
    ],
  },
  'foreign-claim': {
    check: 'arp',
    what: 'a MAC that is neither the active LB nor a proxy claimed the VIP',
    why: 'A backup LB with the VIP configured statically, or a stray host using the address.',
    fix: [
      'Identify the MAC (switch MAC table, inventory), remove the VIP from it; on a backup LB the VIP',
      'must be configured only in keepalived\'s virtual_ipaddress.',
    ],
  },
  'split-brain': {
    check: 'failover',
    what: 'two routers advertised as master for one VRID at the same time, beyond one interval',
    why: 'The LBs do not hear each other\'s adverts: the firewall drops IP protocol 112, multicast is filtered on the switch, or unicast_peer addresses are wrong.',
    fix: [
      'Allow VRRP on both LBs: nft add rule inet filter input ip protocol vrrp accept (and',
      'meta l4proto vrrp for IPv6) / iptables -A INPUT -p 112 -j ACCEPT; check IGMP snooping on the',
      'switch for 224.0.0.18; with unicast_peer list the other LB\'s address on each.',
    ],
  },
  'slow-takeover': {
    check: 'failover',
    what: 'the takeover took longer than Master_Down_Interval plus the tolerance',
    why: 'The backup noticed the master\'s absence late: a larger advert_int than configured, an overloaded backup, or adverts still arriving through another path.',
    fix: [
      'Check advert_int and priority on both LBs (the bound is 3 × interval + skew); compare with the',
      'adverts in the capture; check keepalived\'s log on the backup for the transition time.',
    ],
  },
  'not-announced': {
    check: 'failover',
    what: 'the new master sent no gratuitous ARP / unsolicited neighbour advertisement for a VIP',
    why: 'Routers keep the old MAC for the VIP in their cache (for hours) and go on sending traffic to the old master.',
    fix: [
      'In keepalived.conf (global_defs): vrrp_garp_master_delay 1, vrrp_garp_master_repeat 5,',
      'vrrp_garp_master_refresh 60 (and the vrrp_garp_* / vrrp_gna_* per-instance equivalents);',
      'or use_vmac so the VIP\'s MAC never changes. Make sure the firewall does not drop outgoing ARP.',
    ],
  },
  flapping: {
    check: 'failover',
    what: 'more master changes of one VRID than the --flapping threshold within its window',
    why: 'The master keeps losing: a health-check script that fails intermittently, priorities that preempt back and forth, or lost adverts.',
    fix: [
      'Check vrrp_script results and weights in keepalived\'s log; use nopreempt or preempt_delay;',
      'check packet loss for protocol 112 between the LBs.',
    ],
  },
  'vrid-collision': {
    check: 'failover',
    what: 'a router advertised the same VRID with a different address list, interval or authentication',
    why: 'Another keepalived cluster on the same LAN uses the same virtual_router_id.',
    fix: ['Give every cluster on the LAN its own virtual_router_id (1–255) and reload keepalived.'],
  },
  'bad-checksum': {
    check: 'failover',
    what: 'a VRRP advert had a wrong checksum (the advert was still used)',
    why: 'Often checksum offload on the capturing host (the checksum is filled in by the NIC after capture), or a VRRPv3 peer computing the v2 way.',
    fix: ['If captured on the sender: ethtool -K eth0 tx off to confirm offload; otherwise check vrrp_version on both LBs.'],
  },
  contender: {
    check: 'failover',
    what: 'a router sent a few adverts and gave way within one interval while the master went on',
    why: 'Two backups raced for mastership (normal during start-up or after a preempt).',
    fix: ['Nothing, unless it repeats: then check priorities and preempt settings.'],
  },
  'no-takeover': {
    check: 'failover',
    what: 'the master resigned or went silent and no router took over while the capture went on',
    why: 'The backup is down, is in FAULT state (a tracked interface or script failed), or does not receive the adverts to notice the loss.',
    fix: [
      'On the backup: systemctl status keepalived and its log (FAULT state, track_script results);',
      'check that the firewall allows protocol 112 on the backup.',
    ],
  },
  master: {
    check: 'failover',
    what: 'the VRRP master seen in the capture, with priority and interval (information)',
    why: 'Reported so an inconclusive failover check still shows who holds the VIP.',
    fix: ['Nothing. To time a failover, capture while running the failover (stop keepalived on the master).'],
  },
  'vrrp-unseen': {
    check: 'failover',
    what: 'no VRRP advert for the VIP was seen at this capture point',
    why: 'With unicast_peer the adverts go only between the LBs; or the capture filter or interface missed protocol 112.',
    fix: ['Capture on an LB (or the LBs\' shared segment), or give --lb-mac so the arp check still judges.'],
  },
  'probe-responders': {
    check: 'arp',
    what: 'who answered drcheck\'s own ARP who-has / neighbour solicitation for the VIP (--probe)',
    why: 'Exactly one responder, the active LB, is healthy. Several responders: a proxy answers (arp_ignore) or two hosts hold the VIP; none but the LB should.',
    fix: [
      'Each responder is judged by the arp check: for a proxy see "drcheck explain real-server-answers";',
      'for a second LB or stray host remove the VIP from it (ip addr del VIP/32 dev eth0).',
    ],
  },
  'probe-unanswered': {
    check: 'source',
    what: 'drcheck\'s probe (ARP/NS for the VIP, or a SYN to VIP:port sent to a proxy\'s MAC) got no answer',
    why: 'No answer to ARP/NS: no host holds the VIP on this LAN (keepalived down on both LBs). No SYN-ACK from a proxy: the VIP is missing on its lo, nothing listens on the port, or a firewall drops it.',
    fix: [
      'ARP/NS: check keepalived on both LBs (systemctl status keepalived; ip addr on the master).',
      'SYN: on the proxy, ip addr add VIP/32 dev lo, check ss -ltnp for the port and the firewall.',
    ],
  },
  'probe-answered': {
    check: 'source',
    what: 'a proxy answered drcheck\'s SYN to the VIP with a SYN-ACK from the VIP (information)',
    why: 'The DR path to that proxy works: it holds the VIP and the service listens on it.',
    fix: ['Nothing.'],
  },
  trigger: {
    check: 'failover',
    what: 'what the --trigger command did and whether a transition followed within --expect-within',
    why: 'A trigger that is followed by no master change means the backup did not take over: it is down, in FAULT state or does not see the adverts stop.',
    fix: [
      'Check that the trigger really stopped the master (its exit status is in the finding); on the',
      'backup check keepalived\'s state and log, and that the firewall allows IP protocol 112.',
    ],
  },
  'lost-in-transit': {
    check: 'source',
    what: 'a request the LB forwarded to a proxy\'s MAC never arrived at that proxy\'s capture point',
    why: 'The frame was lost between the LB and the proxy: a switch port in another VLAN, a MAC table problem, a proxy NIC filtering it, or the wrong proxy MAC in the LB\'s ARP table.',
    fix: [
      'On the LB: ip neigh show for the proxy\'s address (the MAC must be the proxy\'s);',
      'check the switch (VLAN, port security) and ip -s link on the proxy for drops.',
    ],
  },
  'config-mismatch': {
    check: 'failover',
    what: 'what the capture shows differs from the inventory or keepalived.conf',
    why: 'The configuration given to drcheck is not the one running (a VIP, VRID, priority or real server differs).',
    fix: ['Compare the running keepalived (keepalived -t, ip addr, ipvsadm -Ln) with the file given to drcheck.'],
  },
  'truncated-capture': {
    check: 'input',
    what: 'the capture file ends in the middle of a record',
    why: 'The capturing program (tcpdump, dumpcap) was killed before it flushed the file.',
    fix: ['Stop captures with Ctrl-C / SIGINT, or use -c / -a duration:N so the file is complete.'],
  },
  'corrupt-capture': {
    check: 'input',
    what: 'the capture file is damaged in the middle (an impossible block or record)',
    why: 'The file was corrupted after it was written (disk, transfer, a tool that edits captures), or two files were concatenated.',
    fix: ['Check the file with capinfos / tshark -r; re-copy it, or cut out the damaged part with editcap and check each part.'],
  },
  'packets-dropped': {
    check: 'input',
    what: 'packets that passed the capture filter were dropped before drcheck read them',
    why: 'The traffic the filter passes came faster than drcheck could analyse it (its 16 MiB kernel ring buffer filled up), or the interface itself dropped packets (ip -s link shows them).',
    fix: ['Capture with tcpdump -i IFACE -w FILE (it only writes) and judge the file with drcheck verify -r FILE.',
      'Capture on fewer interfaces at once, and give --vip: without it the filter passes every TCP segment, with it only the VIPs\' and handshakes.'],
  },
  'vip-mismatch': {
    check: 'input',
    what: 'VRRP adverts name VIPs that --vip did not give',
    why: 'A mistyped --vip, or the adverts belong to another cluster.',
    fix: ['Compare --vip with virtual_ipaddress in keepalived.conf; leave --vip out to learn the VIPs from the adverts.'],
  },
  'malformed-frames': {
    check: 'input',
    what: 'some frames were cut short or inconsistent and could not be decoded',
    why: 'A small snaplen (tcpdump -s), corrupted files, or offloaded segments larger than the MTU.',
    fix: ['Capture with tcpdump -s 0 (the default in current versions); they are counted, not judged.'],
  },
  'unsupported-link': {
    check: 'input',
    what: 'frames of a link type drcheck does not decode',
    why: 'The capture was taken on an interface type other than Ethernet, SLL/SLL2, raw IP or BSD loopback.',
    fix: ['Capture on the Ethernet interface itself (tcpdump -i eth0), or with -i any (SLL).'],
  },
  'clock-offset': {
    check: 'input',
    what: 'how far a capture point\'s clock is from the first input\'s, measured on frames seen at both',
    why: 'Each host stamps packets with its own clock; drcheck aligns the points by the median difference over identical frames (VRRP adverts, ARP, forwarded requests).',
    fix: ['Nothing to fix; run NTP/chrony on the hosts to keep the offset small. No shared frame: capture at the same time, on the same LAN.'],
  },
}

/** Every kind drcheck reports has an entry (the test checks FINDING_KINDS against it). */
export const REMEDIES = ENTRIES as Record<FindingKind, Remedy>

export function remedyFor(kind: string): Remedy | undefined {
  return Object.hasOwn(ENTRIES, kind) ? ENTRIES[kind] : undefined
}

/** `drcheck explain KIND`. */
export function explainText(kind: FindingKind): string {
  const r = REMEDIES[kind]
  return [`${kind} (${r.check}): ${r.what}.`, '', ...wrap(`Why: ${r.why}`, 100), '', 'Fix:', ...r.fix.map((l) => `  ${l}`)].join('\n') + '\n'
}

function wrap(text: string, width: number): string[] {
  const out: string[] = []
  let line = ''
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) { out.push(line); line = w } else line = line ? `${line} ${w}` : w
  }
  if (line) out.push(line)
  return out
}
