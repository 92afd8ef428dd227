// UDP header (RFC 768).

export class UdpDatagram {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  /** min(off + length field, captured end) */
  end = 0

  /** false when fewer than 8 bytes or the length field < 8. A length field of 0 (jumbogram) or
   *  beyond the captured bytes extends to the captured end. */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 8 > end) return false
    const len = (buf[off + 4]! << 8) | buf[off + 5]!
    if (len !== 0 && len < 8) return false
    this.buf = buf
    this.off = off
    this.end = len === 0 || off + len > end ? end : off + len
    return true
  }

  get srcPort(): number { return (this.buf[this.off]! << 8) | this.buf[this.off + 1]! }
  get dstPort(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get length(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  get checksum(): number { return (this.buf[this.off + 6]! << 8) | this.buf[this.off + 7]! }
  get payloadLength(): number { return this.end - this.off - 8 }
}
