// TCP header (RFC 9293): ports, sequence numbers, data offset and flags.

export const TcpFlag = {FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80} as const

export class TcpSegment {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0

  /** false when fewer than 20 bytes or data offset < 5. A header whose options are cut off by the
   *  capture is accepted (ports and flags are there); see headerComplete. */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 20 > end) return false
    if (buf[off + 12]! >> 4 < 5) return false
    this.buf = buf
    this.off = off
    this.end = end
    return true
  }

  get srcPort(): number { return (this.buf[this.off]! << 8) | this.buf[this.off + 1]! }
  get dstPort(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get seq(): number { const b = this.buf, o = this.off + 4; return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0 }
  get ack(): number { const b = this.buf, o = this.off + 8; return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0 }
  get headerLen(): number { return (this.buf[this.off + 12]! >> 4) * 4 }
  /** the flags byte: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
  get flags(): number { return this.buf[this.off + 13]! }
  get window(): number { return (this.buf[this.off + 14]! << 8) | this.buf[this.off + 15]! }
  get headerComplete(): boolean { return this.off + this.headerLen <= this.end }
  /** captured payload bytes (0 when the header itself is cut short) */
  get payloadLength(): number { return Math.max(0, this.end - this.off - this.headerLen) }
}
