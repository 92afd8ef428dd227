// IPv6 header (RFC 8200) and a bounded walk over the extension headers:
// hop-by-hop 0, routing 43, fragment 44, destination options 60 (and AH 51).
// Every step moves forward by at least 8 bytes and at most MAX_EXT_HEADERS are taken, so the walk
// ends; a non-first fragment carries no upper-layer header.

import {formatIpv6} from './format.js'

export const MAX_EXT_HEADERS = 8

export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  VRRP: 112,
} as const

export class Ipv6Packet {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  /** end of the IP packet inside buf: min(off + 40 + payload length, captured end) */
  end = 0
  truncated = false
  /** upper-layer protocol after the extension headers (59 = none); for a non-first fragment the
   *  protocol it belongs to, but see hasTransportHeader */
  protocol = 0
  /** offset of the upper-layer header */
  payloadOffset = 0
  isFragment = false
  /** false for a non-first fragment: no upper-layer header there */
  hasTransportHeader = true
  extHeaders = 0

  /**
   * false when: fewer than 40 bytes, version ≠ 6, an extension header cut short or beyond the
   * payload, or more than MAX_EXT_HEADERS of them. A payload length beyond the captured bytes
   * sets `truncated` (snaplen, ICMPv6 error quotes). Payload length 0 (jumbogram) means "to the end".
   */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 40 > end) return false
    if (buf[off]! >> 4 !== 6) return false
    const plen = (buf[off + 4]! << 8) | buf[off + 5]!
    let pend = plen === 0 ? end : off + 40 + plen
    this.truncated = pend > end
    if (this.truncated) pend = end
    let nh = buf[off + 6]!
    let p = off + 40
    let n = 0
    let frag = false
    let first = true
    for (;;) {
      if (nh === 0 || nh === 43 || nh === 60 || nh === 51) {
        if (n === MAX_EXT_HEADERS || p + 2 > pend) return false
        const len = nh === 51 ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8
        if (p + len > pend) return false
        nh = buf[p]!
        p += len
        n++
      } else if (nh === 44) {
        if (n === MAX_EXT_HEADERS || p + 8 > pend) return false
        frag = true
        const fo = ((buf[p + 2]! << 8) | buf[p + 3]!) & 0xfff8
        nh = buf[p]!
        p += 8
        n++
        if (fo !== 0) { first = false; break }
      } else {
        break
      }
    }
    this.buf = buf
    this.off = off
    this.end = pend
    this.protocol = nh
    this.payloadOffset = p
    this.isFragment = frag
    this.hasTransportHeader = first
    this.extHeaders = n
    return true
  }

  get trafficClass(): number { return ((this.buf[this.off]! & 0x0f) << 4) | (this.buf[this.off + 1]! >> 4) }
  get payloadLength(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  /** the Next Header field of the fixed header */
  get nextHeader(): number { return this.buf[this.off + 6]! }
  get hopLimit(): number { return this.buf[this.off + 7]! }
  get srcOffset(): number { return this.off + 8 }
  get dstOffset(): number { return this.off + 24 }
  get src(): string { return formatIpv6(this.buf, this.off + 8) }
  get dst(): string { return formatIpv6(this.buf, this.off + 24) }
  /** captured upper-layer bytes */
  get upperLength(): number { return this.end - this.payloadOffset }
}
