// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276): 20-byte header.
//   0 protocol, 2 reserved, 4 interface index, 8 ARPHRD type, 10 packet type,
//   11 link-layer address length, 12 address (8 bytes, padded)

import {formatMac} from './format.js'

export const SLL2_HEADER_LEN = 20

export class Sll2Header {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0

  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + SLL2_HEADER_LEN > end) return false
    this.buf = buf
    this.off = off
    this.end = end
    return true
  }

  get protocol(): number { return (this.buf[this.off]! << 8) | this.buf[this.off + 1]! }
  get ifIndex(): number {
    const b = this.buf, o = this.off + 4
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
  }
  get arphrdType(): number { return (this.buf[this.off + 8]! << 8) | this.buf[this.off + 9]! }
  get pktType(): number { return this.buf[this.off + 10]! }
  get addrLen(): number { return this.buf[this.off + 11]! }
  get srcMac(): string { return this.addrLen === 6 ? formatMac(this.buf, this.off + 12) : '' }
  get payloadOffset(): number { return this.off + SLL2_HEADER_LEN }
}
