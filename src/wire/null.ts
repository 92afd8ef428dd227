// BSD null / loopback (LINKTYPE_NULL 0, LINKTYPE_LOOP 108): a 4-byte address family.
// NULL stores it in the byte order of the capturing host, LOOP in network order; both orders are
// accepted here. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
// 30 (macOS) – and 10 on Linux, accepted too.

export const NULL_HEADER_LEN = 4

function familyOf(v: number): 4 | 6 | 0 {
  if (v === 2) return 4
  if (v === 24 || v === 28 || v === 30 || v === 10) return 6
  return 0
}

export class NullHeader {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  /** 4 or 6, or 0 for an address family that is not IP */
  ipVersion: 4 | 6 | 0 = 0

  /** false only when shorter than 4 bytes */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + NULL_HEADER_LEN > end) return false
    this.buf = buf
    this.off = off
    const b0 = buf[off]!, b1 = buf[off + 1]!, b2 = buf[off + 2]!, b3 = buf[off + 3]!
    // host order little-endian: value in b0 with b1..b3 zero; big-endian: value in b3
    if (b1 === 0 && b2 === 0 && b3 === 0) this.ipVersion = familyOf(b0)
    else if (b0 === 0 && b1 === 0 && b2 === 0) this.ipVersion = familyOf(b3)
    else this.ipVersion = 0
    return true
  }

  get payloadOffset(): number { return this.off + NULL_HEADER_LEN }
}
