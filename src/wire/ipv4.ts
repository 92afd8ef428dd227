// IPv4 header (RFC 791): options via IHL, total length against the captured bytes, fragments.

import {formatIpv4} from './format.js'

export class Ipv4Packet {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  /** end of the IP packet inside buf: min(off + total length, captured end) */
  end = 0
  headerLen = 0
  /** the packet is cut short by the capture (total length > captured bytes) */
  truncated = false

  /**
   * false when: fewer than 20 bytes, version ≠ 4, IHL < 5, the header (with options) not captured,
   * or total length < header length. A total length beyond the captured bytes sets `truncated`
   * (snaplen; and always for the header quoted in an ICMP error, followed by 8 bytes only).
   * A total length of 0 (TCP segmentation offload on the capturing host) means "up to the end".
   */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 20 > end) return false
    const vihl = buf[off]!
    if (vihl >> 4 !== 4) return false
    const hl = (vihl & 0x0f) * 4
    if (hl < 20 || off + hl > end) return false
    const total = (buf[off + 2]! << 8) | buf[off + 3]!
    let pend: number
    if (total === 0) {
      pend = end
      this.truncated = false
    } else {
      if (total < hl) return false
      pend = off + total
      this.truncated = pend > end
      if (this.truncated) pend = end
    }
    this.buf = buf
    this.off = off
    this.end = pend
    this.headerLen = hl
    return true
  }

  get tos(): number { return this.buf[this.off + 1]! }
  get totalLength(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get id(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  get dontFragment(): boolean { return (this.buf[this.off + 6]! & 0x40) !== 0 }
  get moreFragments(): boolean { return (this.buf[this.off + 6]! & 0x20) !== 0 }
  /** fragment offset in bytes */
  get fragOffset(): number { return (((this.buf[this.off + 6]! & 0x1f) << 8) | this.buf[this.off + 7]!) * 8 }
  /** part of a fragmented packet (MF set or offset ≠ 0) */
  get isFragment(): boolean { return (this.buf[this.off + 6]! & 0x3f) !== 0 || this.buf[this.off + 7]! !== 0 }
  /** only the fragment at offset 0 carries the transport header */
  get hasTransportHeader(): boolean { return ((this.buf[this.off + 6]! & 0x1f) | this.buf[this.off + 7]!) === 0 }
  get ttl(): number { return this.buf[this.off + 8]! }
  get protocol(): number { return this.buf[this.off + 9]! }
  get checksum(): number { return (this.buf[this.off + 10]! << 8) | this.buf[this.off + 11]! }
  /** offsets of the addresses inside buf (for pseudo-header checksums) */
  get srcOffset(): number { return this.off + 12 }
  get dstOffset(): number { return this.off + 16 }
  get src(): string { return formatIpv4(this.buf, this.off + 12) }
  get dst(): string { return formatIpv4(this.buf, this.off + 16) }
  get payloadOffset(): number { return this.off + this.headerLen }
  /** captured payload bytes */
  get payloadLength(): number { return this.end - this.off - this.headerLen }
}
