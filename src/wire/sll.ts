// Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113): 16-byte header.
//   0 packet type, 2 ARPHRD type, 4 link-layer address length, 6 address (8 bytes, padded), 14 protocol

import {formatMac} from './format.js'

export const SLL_HEADER_LEN = 16

export class SllHeader {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0

  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + SLL_HEADER_LEN > end) return false
    this.buf = buf
    this.off = off
    this.end = end
    return true
  }

  /** 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing */
  get pktType(): number { return (this.buf[this.off]! << 8) | this.buf[this.off + 1]! }
  get arphrdType(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get addrLen(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  /** the sender's MAC when the address is 6 bytes long, '' otherwise */
  get srcMac(): string { return this.addrLen === 6 ? formatMac(this.buf, this.off + 6) : '' }
  /** ethertype (or a Linux pseudo-protocol < 0x0600 such as 0x0004 for 802.2) */
  get protocol(): number { return (this.buf[this.off + 14]! << 8) | this.buf[this.off + 15]! }
  get payloadOffset(): number { return this.off + SLL_HEADER_LEN }
}
