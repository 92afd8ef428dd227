// The dissector: one captured frame → the events the checks consume (events.ts).
// Link layer (Ethernet with VLAN tags, SLL, SLL2, BSD null/loop, raw IP) → ARP / IPv4 / IPv6 →
// ICMP, ICMPv6 (ND → NdEvent; echo and errors → TrafficEvent), VRRP (→ VrrpEvent),
// TCP / UDP (→ TrafficEvent). It never throws on any byte sequence: a frame that is cut short or
// inconsistent where drcheck needs it is counted in stats.malformed and skipped.
//
// All wire views are allocated once per Dissector and re-wrapped per frame. ARP, ND and VRRP events
// are fresh objects; the TrafficEvent (most frames) is one object reused for every frame, and its
// address strings are interned: a consumer must copy what it keeps past the call.

import {LinkType, type PacketRecord} from '../capture/record.js'
import {ArpPacket} from '../wire/arp.js'
import {EthernetFrame, EtherType, isVlanTpid, VlanStack} from '../wire/ethernet.js'
import {formatIpv6} from '../wire/format.js'
import {IcmpPacket} from '../wire/icmp.js'
import {Icmpv6Packet} from '../wire/icmpv6.js'
import {Ipv4Packet} from '../wire/ipv4.js'
import {Ipv6Packet} from '../wire/ipv6.js'
import {NullHeader} from '../wire/null.js'
import {rawIpVersion} from '../wire/raw.js'
import {SllHeader} from '../wire/sll.js'
import {Sll2Header} from '../wire/sll2.js'
import {TcpSegment} from '../wire/tcp.js'
import {UdpDatagram} from '../wire/udp.js'
import {VrrpPacket} from '../wire/vrrp.js'
import type {DecodedEvent, DecodeStats, Family, QuotedHeader, TrafficEvent} from './events.js'
import {AddressInterner} from './intern.js'
import {ipv4Key, ipv6Key} from '../wire/addr-key.js'

export function newDecodeStats(): DecodeStats {
  return {frames: 0, malformed: 0, unsupportedLink: new Map(), badVrrpChecksum: 0, ipBeyondFrame: 0}
}


const NO_VLANS: number[] = Object.freeze([]) as unknown as number[]

export class Dissector {
  readonly stats: DecodeStats = newDecodeStats()

  private readonly eth = new EthernetFrame()
  private readonly sll = new SllHeader()
  private readonly sll2 = new Sll2Header()
  private readonly nul = new NullHeader()
  private readonly vlan = new VlanStack()
  private readonly arp = new ArpPacket()
  private readonly ip4 = new Ipv4Packet()
  private readonly ip6 = new Ipv6Packet()
  private readonly icmp = new IcmpPacket()
  private readonly icmp6 = new Icmpv6Packet()
  private readonly tcp = new TcpSegment()
  private readonly udp = new UdpDatagram()
  private readonly vrrp = new VrrpPacket()

  // per-frame link-layer facts
  private rec!: PacketRecord
  private ethSrc = ''
  private ethDst = ''
  private vlanSrc: VlanStack | null = null
  private pktType = -1
  /** where the IP packet ends by its length field (beyond the captured bytes when cut short) */
  private ipClaimedEnd = 0
  /** address keys of the current IP packet's source and destination (set before emitTraffic) */
  private srcKey = 0
  private dstKey = 0

  /** address strings formatted once per distinct address, not once per packet */
  private readonly names = new AddressInterner()
  /** the traffic event is reused frame after frame (the hot path): consumers copy what they keep */
  private readonly traffic: TrafficEvent = {
    kind: 'traffic', input: 0, frame: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, ethSrc: '', ethDst: '', vlans: NO_VLANS, pktType: -1,
    family: 'ipv4', ipSrc: '', ipDst: '', srcKey: 0, dstKey: 0, proto: 0, sport: 0, dport: 0, tcpFlags: 0, icmpType: -1, icmpCode: -1, quoted: null, payloadLen: 0,
  }

  /** `emit` receives every event; `traffic`, when given, receives the traffic events instead (the
   *  hot path: one direct call, no dispatch on the kind) */
  private readonly emitTrafficEvent: (ev: TrafficEvent) => void

  /** the fast lane for the common frame (see fastEthernet); off only to test it against the
   *  general path, which must decode every frame to the same events */
  private readonly fast: boolean

  constructor(private readonly emit: (ev: DecodedEvent) => void, traffic?: (ev: TrafficEvent) => void, opts: {fastLane?: boolean} = {}) {
    this.emitTrafficEvent = traffic ?? emit
    this.fast = opts.fastLane ?? true
  }

  dissect(rec: PacketRecord): void {
    this.stats.frames++
    this.rec = rec
    const buf = rec.buf
    const start = rec.off
    const end = Math.min(start + rec.capLen, buf.length)
    if (this.fast && rec.linkType === LinkType.ETHERNET && end - start >= 54 && this.fastEthernet(buf, start, end)) return
    this.ethSrc = ''
    this.ethDst = ''
    this.vlanSrc = null
    this.pktType = -1
    let etherType: number
    let off: number
    switch (rec.linkType) {
      case LinkType.ETHERNET: {
        const eth = this.eth
        if (!eth.wrap(buf, start, end)) return this.malformed()
        this.ethSrc = this.names.macAt(buf, start + 6)
        this.ethDst = this.names.macAt(buf, start)
        if (eth.vlanCount > 0) this.vlanSrc = eth.vlan
        etherType = eth.etherType
        off = eth.payloadOffset
        break
      }
      case LinkType.LINUX_SLL:
      case LinkType.LINUX_SLL2: {
        // cooked capture v1 and v2 carry the same facts in different places
        const s = rec.linkType === LinkType.LINUX_SLL ? this.sll : this.sll2
        if (!s.wrap(buf, start, end)) return this.malformed()
        this.ethSrc = s.srcMac
        this.pktType = s.pktType
        etherType = s.protocol
        off = s.payloadOffset
        break
      }
      case LinkType.NULL:
      case LinkType.LOOP: {
        const n = this.nul
        if (!n.wrap(buf, start, end)) return this.malformed()
        if (n.ipVersion === 0) return // another address family: nothing for drcheck
        etherType = n.ipVersion === 4 ? EtherType.IPV4 : EtherType.IPV6
        off = n.payloadOffset
        break
      }
      case LinkType.RAW:
      case LinkType.RAW_BSD: {
        const v = rawIpVersion(buf, start, end)
        if (v === 0) return this.malformed()
        etherType = v === 4 ? EtherType.IPV4 : EtherType.IPV6
        off = start
        break
      }
      case LinkType.IPV4:
        etherType = EtherType.IPV4
        off = start
        break
      case LinkType.IPV6:
        etherType = EtherType.IPV6
        off = start
        break
      default: {
        const m = this.stats.unsupportedLink
        m.set(rec.linkType, (m.get(rec.linkType) ?? 0) + 1)
        return
      }
    }
    // cooked captures may still carry VLAN tags the kernel did not strip
    if (isVlanTpid(etherType) && this.vlanSrc === null) {
      if (!this.vlan.walk(buf, off, end, etherType)) return this.malformed()
      this.vlanSrc = this.vlan
      etherType = this.vlan.etherType
      off = this.vlan.payloadOffset
    }
    switch (etherType) {
      case EtherType.ARP: return this.doArp(buf, off, end)
      case EtherType.IPV4: return this.doIpv4(buf, off, end)
      case EtherType.IPV6: return this.doIpv6(buf, off, end)
      default: return // not for drcheck (RARP, LLDP, 802.3 lengths, …)
    }
  }

  /**
   * The fast lane: untagged Ethernet carrying IPv4 without options or IPv6 without extension
   * headers, then TCP or UDP, whole enough to decode. Nearly every frame of a busy proxy's capture
   * is one of these; they are read straight from the bytes (no view is wrapped) and give exactly
   * the event the general path gives (test/decode/fast-lane.test.ts runs both over every capture).
   * Anything else — and any frame the general path would count as malformed — returns false before
   * any state is changed, and the general path decodes it.
   */
  private fastEthernet(buf: Uint8Array, start: number, end: number): boolean {
    const o = start + 14
    const et = (buf[start + 12]! << 8) | buf[start + 13]!
    let family: Family, proto: number, l4: number, claimedEnd: number, pend: number
    if (et === 0x0800) {
      if (buf[o] !== 0x45) return false
      proto = buf[o + 9]!
      if (proto !== 6 && proto !== 17) return false
      // a fragment other than the first has no ports (the general path passes it over)
      if (((buf[o + 6]! & 0x1f) | buf[o + 7]!) !== 0) return false
      const total = (buf[o + 2]! << 8) | buf[o + 3]!
      if (total < 20) return false // 0 (offload) and impossible lengths: the general path
      claimedEnd = o + total
      pend = claimedEnd > end ? end : claimedEnd
      l4 = o + 20
      family = 'ipv4'
    } else if (et === 0x86dd) {
      if (end - o < 40 || buf[o]! >> 4 !== 6) return false
      proto = buf[o + 6]!
      if (proto !== 6 && proto !== 17) return false
      const plen = (buf[o + 4]! << 8) | buf[o + 5]!
      if (plen === 0) return false // jumbogram: the general path
      claimedEnd = o + 40 + plen
      pend = claimedEnd > end ? end : claimedEnd
      l4 = o + 40
      family = 'ipv6'
    } else {
      return false
    }
    let sport: number, dport: number, flags = 0, payload: number
    if (proto === 6) {
      if (l4 + 20 > pend) return false
      const hl = (buf[l4 + 12]! >> 4) * 4
      if (hl < 20) return false
      flags = buf[l4 + 13]!
      // as the general path: the IP length beyond the frame counts only where the snaplen cut it
      payload = (claimedEnd > end && this.rec.capLen >= this.rec.origLen ? end : claimedEnd) - l4 - hl
      if (payload < 0) payload = 0
    } else {
      if (l4 + 8 > pend) return false
      const len = (buf[l4 + 4]! << 8) | buf[l4 + 5]!
      if (len !== 0 && len < 8) return false
      payload = (len === 0 || l4 + len > pend ? pend : l4 + len) - l4 - 8
    }
    sport = (buf[l4]! << 8) | buf[l4 + 1]!
    dport = (buf[l4 + 2]! << 8) | buf[l4 + 3]!
    // decoded: from here on the frame is this lane's
    const r = this.rec
    if (claimedEnd > end && r.capLen >= r.origLen) this.stats.ipBeyondFrame++
    const names = this.names
    const ev = this.traffic
    if (family === 'ipv4') {
      ev.srcKey = ipv4Key(buf, o + 12); ev.dstKey = ipv4Key(buf, o + 16)
      ev.ipSrc = names.ipv4At(buf, o + 12); ev.ipDst = names.ipv4At(buf, o + 16)
    } else {
      ev.srcKey = ipv6Key(buf, o + 8); ev.dstKey = ipv6Key(buf, o + 24)
      ev.ipSrc = names.ipv6At(buf, o + 8); ev.ipDst = names.ipv6At(buf, o + 24)
    }
    ev.input = r.input; ev.frame = r.frame; ev.tsSec = r.tsSec; ev.tsNsec = r.tsNsec; ev.tsDigits = r.tsDigits
    ev.ethSrc = names.macAt(buf, start + 6); ev.ethDst = names.macAt(buf, start); ev.vlans = NO_VLANS; ev.pktType = -1
    ev.family = family; ev.proto = proto; ev.sport = sport; ev.dport = dport
    ev.tcpFlags = flags; ev.icmpType = -1; ev.icmpCode = -1; ev.quoted = null; ev.payloadLen = payload
    this.emitTrafficEvent(ev)
    return true
  }

  private malformed(): void {
    this.stats.malformed++
  }

  private vlans(): number[] {
    return this.vlanSrc === null ? NO_VLANS : this.vlanSrc.toArray()
  }

  private doArp(buf: Uint8Array, off: number, end: number): void {
    const a = this.arp
    if (!a.wrap(buf, off, end)) return this.malformed()
    const r = this.rec
    this.emit({
      kind: 'arp', input: r.input, frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, tsDigits: r.tsDigits,
      ethSrc: this.ethSrc, ethDst: this.ethDst, vlans: this.vlans(), pktType: this.pktType,
      op: a.op, senderMac: a.senderMac, senderIp: a.senderIp, targetMac: a.targetMac, targetIp: a.targetIp,
    })
  }

  private doIpv4(buf: Uint8Array, off: number, end: number): void {
    const ip = this.ip4
    if (!ip.wrap(buf, off, end)) return this.malformed()
    const proto = ip.protocol
    if (proto === 112) {
      // a fragmented advert cannot be used (and real ones never are)
      if (ip.isFragment) return this.malformed()
      const v = this.vrrp
      if (!v.wrap(buf, ip.payloadOffset, ip.end, false) || v.type !== 1) return this.malformed()
      const ok = ip.truncated || v.checksumOk(buf, ip.srcOffset, ip.dstOffset)
      return this.emitVrrp('ipv4', ip.src, ip.dst, ip.ttl, ok)
    }
    if (!ip.hasTransportHeader) return // a later fragment: no ports, nothing to pair
    this.srcKey = ipv4Key(buf, ip.srcOffset)
    this.dstKey = ipv4Key(buf, ip.dstOffset)
    // the IP length counts beyond the captured bytes only where the snaplen cut the frame; in a
    // whole frame it is inconsistent and the frame's end counts (tshark: tcp.len from the frame)
    const cut = this.rec.capLen < this.rec.origLen
    this.ipClaimedEnd = ip.truncated && cut ? ip.off + ip.totalLength : ip.end
    if (ip.truncated && !cut) this.stats.ipBeyondFrame++
    this.doTransport(buf, ip.payloadOffset, ip.end, proto, 'ipv4', this.names.ipv4At(buf, ip.srcOffset), this.names.ipv4At(buf, ip.dstOffset))
  }

  private doIpv6(buf: Uint8Array, off: number, end: number): void {
    const ip = this.ip6
    if (!ip.wrap(buf, off, end)) return this.malformed()
    if (!ip.hasTransportHeader) return
    const proto = ip.protocol
    if (proto === 112) {
      if (ip.isFragment) return this.malformed()
      const v = this.vrrp
      if (!v.wrap(buf, ip.payloadOffset, ip.end, true) || v.type !== 1) return this.malformed()
      const ok = ip.truncated || v.checksumOk(buf, ip.srcOffset, ip.dstOffset)
      return this.emitVrrp('ipv6', ip.src, ip.dst, ip.hopLimit, ok)
    }
    this.srcKey = ipv6Key(buf, ip.srcOffset)
    this.dstKey = ipv6Key(buf, ip.dstOffset)
    if (proto === 58) {
      const m = this.icmp6
      if (!m.wrap(buf, ip.payloadOffset, ip.end)) return this.malformed()
      if (m.isNd) {
        const r = this.rec
        const na = m.type === 136
        this.emit({
          kind: 'nd', input: r.input, frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, tsDigits: r.tsDigits,
          ethSrc: this.ethSrc, ethDst: this.ethDst, vlans: this.vlans(), pktType: this.pktType,
          type: na ? 136 : 135, ipSrc: formatIpv6(buf, ip.srcOffset), ipDst: formatIpv6(buf, ip.dstOffset),
          target: m.target, lladdr: na ? m.targetLladdr : m.sourceLladdr,
          router: m.router, solicited: m.solicited, override: m.override,
        })
        return
      }
      if (m.isEcho) {
        const id = m.identifier
        return this.emitTraffic('ipv6', ip.src, ip.dst, 58, id, id, 0, m.type, m.code, null, m.payloadLength)
      }
      if (m.isError) {
        return this.emitTraffic('ipv6', ip.src, ip.dst, 58, 0, 0, 0, m.type, m.code, m.quoted(), m.payloadLength)
      }
      return // RS/RA/redirect/MLD…: not for drcheck
    }
    const cut = this.rec.capLen < this.rec.origLen
    this.ipClaimedEnd = ip.truncated && cut ? ip.off + 40 + ip.payloadLength : ip.end
    if (ip.truncated && !cut) this.stats.ipBeyondFrame++
    this.doTransport(buf, ip.payloadOffset, ip.end, proto, 'ipv6', this.names.ipv6At(buf, ip.srcOffset), this.names.ipv6At(buf, ip.dstOffset))
  }

  private doTransport(buf: Uint8Array, off: number, end: number, proto: number, family: Family, src: string, dst: string): void {
    switch (proto) {
      case 6: {
        const t = this.tcp
        if (!t.wrap(buf, off, end)) return this.malformed()
        // payload length from the IP length field, as tshark's tcp.len: a data segment cut by the
        // snaplen still carries data (and waits for a reply)
        const payload = Math.max(0, this.ipClaimedEnd - off - t.headerLen)
        return this.emitTraffic(family, src, dst, 6, t.srcPort, t.dstPort, t.flags, -1, -1, null, payload)
      }
      case 17: {
        const u = this.udp
        if (!u.wrap(buf, off, end)) return this.malformed()
        return this.emitTraffic(family, src, dst, 17, u.srcPort, u.dstPort, 0, -1, -1, null, u.payloadLength)
      }
      case 1: {
        if (family !== 'ipv4') return
        const m = this.icmp
        if (!m.wrap(buf, off, end)) return this.malformed()
        if (m.isEcho) {
          const id = m.identifier
          return this.emitTraffic(family, src, dst, 1, id, id, 0, m.type, m.code, null, m.payloadLength)
        }
        if (m.isError) {
          return this.emitTraffic(family, src, dst, 1, 0, 0, 0, m.type, m.code, m.quoted(), m.payloadLength)
        }
        return
      }
      default:
        return // other IP protocols: not for drcheck
    }
  }

  private emitVrrp(family: Family, ipSrc: string, ipDst: string, ttl: number, checksumOk: boolean): void {
    const v = this.vrrp
    const r = this.rec
    if (!checksumOk) this.stats.badVrrpChecksum++
    this.emit({
      kind: 'vrrp', input: r.input, frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, tsDigits: r.tsDigits,
      ethSrc: this.ethSrc, ethDst: this.ethDst, vlans: this.vlans(), pktType: this.pktType,
      family, ipSrc, ipDst, ttl, version: v.version === 2 ? 2 : 3, vrid: v.vrid, priority: v.priority,
      intervalCs: v.intervalCs, authType: v.authType, authData: v.authData, addrs: v.addresses(), checksumOk,
    })
  }

  private emitTraffic(family: Family, ipSrc: string, ipDst: string, proto: number, sport: number, dport: number,
    tcpFlags: number, icmpType: number, icmpCode: number, quoted: QuotedHeader | null, payloadLen: number): void {
    const r = this.rec
    const ev = this.traffic
    ev.input = r.input; ev.frame = r.frame; ev.tsSec = r.tsSec; ev.tsNsec = r.tsNsec; ev.tsDigits = r.tsDigits
    ev.ethSrc = this.ethSrc; ev.ethDst = this.ethDst; ev.vlans = this.vlans(); ev.pktType = this.pktType
    ev.family = family; ev.ipSrc = ipSrc; ev.ipDst = ipDst; ev.srcKey = this.srcKey; ev.dstKey = this.dstKey; ev.proto = proto; ev.sport = sport; ev.dport = dport
    ev.tcpFlags = tcpFlags; ev.icmpType = icmpType; ev.icmpCode = icmpCode; ev.quoted = quoted; ev.payloadLen = payloadLen
    this.emitTrafficEvent(ev)
  }
}
