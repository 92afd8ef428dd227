// ARP for Ethernet/IPv4 (RFC 826): htype 1, ptype 0x0800, hlen 6, plen 4, 28 bytes.
//   0 htype, 2 ptype, 4 hlen, 5 plen, 6 op, 8 sha, 14 spa, 18 tha, 24 tpa

import {formatIpv4, formatMac} from './format.js'

export const ARP_LEN = 28

export class ArpPacket {
  buf: Uint8Array = new Uint8Array(0)
  off = 0

  /** false when shorter than 28 bytes or not Ethernet/IPv4 ARP (other hardware/protocol types and
   *  bogus address lengths cannot be used). Trailing bytes (Ethernet padding) are ignored. */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + ARP_LEN > end) return false
    if (buf[off] !== 0 || buf[off + 1] !== 1 || buf[off + 2] !== 0x08 || buf[off + 3] !== 0x00) return false
    if (buf[off + 4] !== 6 || buf[off + 5] !== 4) return false
    this.buf = buf
    this.off = off
    return true
  }

  get htype(): number { return (this.buf[this.off]! << 8) | this.buf[this.off + 1]! }
  get ptype(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  /** 1 request, 2 reply, others as they are */
  get op(): number { return (this.buf[this.off + 6]! << 8) | this.buf[this.off + 7]! }
  get senderMac(): string { return formatMac(this.buf, this.off + 8) }
  get senderIp(): string { return formatIpv4(this.buf, this.off + 14) }
  get targetMac(): string { return formatMac(this.buf, this.off + 18) }
  get targetIp(): string { return formatIpv4(this.buf, this.off + 24) }
  /** sender IP == target IP (a gratuitous ARP, request or reply) */
  get isGratuitous(): boolean {
    const b = this.buf, o = this.off
    return b[o + 14] === b[o + 24] && b[o + 15] === b[o + 25] && b[o + 16] === b[o + 26] && b[o + 17] === b[o + 27]
  }
}
