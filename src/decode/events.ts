// What the protocol analyzers tell the checks. The analyzers (src/wire + src/decode/dissect.ts)
// only produce these; the checks (src/checks) only judge them. Addresses are strings in one
// canonical form so that they compare with ===:
//   MAC  : lowercase, colon separated            "02:00:00:00:00:21"
//   IPv4 : dotted quad                           "198.51.100.10"
//   IPv6 : RFC 5952 (ipaddr.js toRFC5952String)  "2001:db8:1::10", "fe80::1"

export type Family = 'ipv4' | 'ipv6'

/** Where and when a frame was captured: enough to open the same frame in Wireshark. */
export interface FrameRef {
  input: number
  frame: number
  tsSec: number
  tsNsec: number
  tsDigits: number
}

/** Link-layer facts every event carries. */
export interface L2 {
  /** Ethernet / SLL source MAC ('' when the link type has none, e.g. raw IP) */
  ethSrc: string
  /** Ethernet destination MAC ('' when unknown: SLL, raw IP) */
  ethDst: string
  /** VLAN ids, outermost first (802.1ad / 802.1Q); empty when untagged */
  vlans: number[]
  /** SLL packet type (0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing); -1 when not SLL */
  pktType: number
}

export interface ArpEvent extends FrameRef, L2 {
  kind: 'arp'
  /** 1 request, 2 reply (others are passed through as they are) */
  op: number
  senderMac: string
  senderIp: string
  targetMac: string
  targetIp: string
}

export interface NdEvent extends FrameRef, L2 {
  kind: 'nd'
  /** 135 neighbour solicitation, 136 neighbour advertisement */
  type: 135 | 136
  ipSrc: string
  ipDst: string
  /** the ND target address */
  target: string
  /** source link-layer option (NS) or target link-layer option (NA); '' when absent */
  lladdr: string
  /** NA flags (false for NS) */
  router: boolean
  solicited: boolean
  override: boolean
}

export interface VrrpEvent extends FrameRef, L2 {
  kind: 'vrrp'
  family: Family
  ipSrc: string
  ipDst: string
  ttl: number
  version: 2 | 3
  vrid: number
  priority: number
  /** advertisement interval in centiseconds (v2 whole seconds × 100; v3 as sent) */
  intervalCs: number
  /** VRRPv2 authentication type (0 none, 1 simple text, 2 IP AH); 0 for v3 */
  authType: number
  /** VRRPv2 simple-text password, '' otherwise */
  authData: string
  /** the virtual addresses in the advertisement */
  addrs: string[]
  /** false when the VRRP checksum does not verify (a warning, not a reason to drop) */
  checksumOk: boolean
}

/** Reused by the Dissector for every frame (the hot path): copy what you keep past the call. */
export interface TrafficEvent extends FrameRef, L2 {
  kind: 'traffic'
  family: Family
  ipSrc: string
  ipDst: string
  /** addressKey of ipSrc / ipDst (src/wire/addr-key.ts): numbers for the checks' flow tables */
  srcKey: number
  dstKey: number
  /** IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
  proto: number
  /** TCP/UDP ports; ICMP echo: identifier in both sport and dport; 0 otherwise */
  sport: number
  dport: number
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10); 0 otherwise */
  tcpFlags: number
  /** ICMP/ICMPv6 type and code; -1 when not ICMP */
  icmpType: number
  icmpCode: number
  /** for ICMP errors (unreachable …): the quoted packet's header; null otherwise */
  quoted: QuotedHeader | null
  /** bytes of transport payload present in the capture */
  payloadLen: number
}

/** The header an ICMP/ICMPv6 error quotes: the packet that caused it. */
export interface QuotedHeader {
  ipSrc: string
  ipDst: string
  /** address keys of ipSrc / ipDst (src/wire/addr-key.ts) */
  srcKey: number
  dstKey: number
  proto: number
  sport: number
  dport: number
}

export type DecodedEvent = ArpEvent | NdEvent | VrrpEvent | TrafficEvent

/** Counters a dissector keeps for the report: what it could not use. */
export interface DecodeStats {
  frames: number
  /** frames cut short or inconsistent: counted and skipped, never thrown */
  malformed: number
  /** frames whose link type drcheck does not decode, per LINKTYPE value */
  unsupportedLink: Map<number, number>
  /** VRRP adverts whose checksum did not verify */
  badVrrpChecksum: number
  /** frames not cut by the snaplen (captured = original length) whose IPv4/IPv6 length field claims
   *  more bytes than the frame holds: decoded up to the frame's end (as tshark does), counted here */
  ipBeyondFrame: number
}
