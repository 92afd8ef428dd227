// VRRP advertisements: v2 (RFC 3768) and v3 (RFC 5798), over IPv4 and IPv6 (IP protocol 112).
//   0 version(4) | type(4), 1 VRID, 2 priority, 3 count of addresses,
//   v2: 4 auth type, 5 advert interval (s), 6 checksum, 8 addresses, then 8 bytes of auth data
//   v3: 4 reserved(4) | max advert interval (12 bits, centiseconds), 6 checksum, 8 addresses
// Checksum: v2 over the VRRP message; v3 with the IPv4/IPv6 pseudo-header (RFC 5798 §5.2.8).
// Trailing bytes after the address list (and v2 auth data) are tolerated; the checksum covers
// the whole IP payload, as the sender computed it.

import {formatIp} from './format.js'
import {foldChecksum, onesSum} from './checksum.js'

export const VRRP_PROTO = 112

export class VrrpPacket {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  /** end of the VRRP message: the end of the IP payload as captured */
  end = 0
  /** 4 (IPv4) or 16 (IPv6) */
  addrLen: 4 | 16 = 4

  /**
   * `ipv6` tells the address size. false when: fewer than 8 bytes, version not 2 or 3, or the
   * address list (count × 4 or 16) does not fit. A v2 advert without its 8 bytes of auth data is
   * accepted (authData then ''). Types other than 1 are accepted; check `type`.
   */
  wrap(buf: Uint8Array, off: number, end: number, ipv6: boolean): boolean {
    if (off < 0 || end > buf.length || off + 8 > end) return false
    const v = buf[off]! >> 4
    if (v !== 2 && v !== 3) return false
    const al = ipv6 ? 16 : 4
    if (off + 8 + buf[off + 3]! * al > end) return false
    this.buf = buf
    this.off = off
    this.end = end
    this.addrLen = al
    return true
  }

  get version(): number { return this.buf[this.off]! >> 4 }
  /** 1 = advertisement */
  get type(): number { return this.buf[this.off]! & 0x0f }
  get vrid(): number { return this.buf[this.off + 1]! }
  get priority(): number { return this.buf[this.off + 2]! }
  get addrCount(): number { return this.buf[this.off + 3]! }
  /** v2 authentication type (0 none, 1 simple text, 2 IP AH); 0 for v3 */
  get authType(): number { return this.version === 2 ? this.buf[this.off + 4]! : 0 }
  /** v2: advertisement interval in seconds; v3: max advertisement interval in centiseconds */
  get rawInterval(): number {
    return this.version === 2 ? this.buf[this.off + 5]! : ((this.buf[this.off + 4]! & 0x0f) << 8) | this.buf[this.off + 5]!
  }
  /** the advertisement interval in centiseconds (v2 seconds × 100) */
  get intervalCs(): number { return this.version === 2 ? this.buf[this.off + 5]! * 100 : this.rawInterval }
  get checksum(): number { return (this.buf[this.off + 6]! << 8) | this.buf[this.off + 7]! }
  addrOffset(i: number): number { return this.off + 8 + i * this.addrLen }
  address(i: number): string { return formatIp(this.buf, this.addrOffset(i), this.addrLen) }
  /** a fresh array of the virtual addresses */
  addresses(): string[] {
    const n = this.addrCount
    const a = new Array<string>(n)
    for (let i = 0; i < n; i++) a[i] = this.address(i)
    return a
  }
  /** v2 auth data is present (8 bytes after the addresses) */
  get hasAuthData(): boolean { return this.version === 2 && this.addrOffset(this.addrCount) + 8 <= this.end }
  /** v2 simple-text password (auth type 1): the 8 bytes up to the first NUL, as Latin-1; '' otherwise */
  get authData(): string {
    if (this.authType !== 1 || !this.hasAuthData) return ''
    const o = this.addrOffset(this.addrCount)
    let s = ''
    for (let i = 0; i < 8; i++) {
      const c = this.buf[o + i]!
      if (c === 0) break
      s += String.fromCharCode(c)
    }
    return s
  }

  /**
   * Verifies the checksum over off..end. For v3, `ipBuf`/`srcOff`/`dstOff` locate the IP source and
   * destination addresses for the pseudo-header (same size as the VRRP addresses); for v2 they
   * are ignored. Only meaningful when the whole message was captured.
   */
  checksumOk(ipBuf: Uint8Array, srcOff: number, dstOff: number): boolean {
    const len = this.end - this.off
    let sum = onesSum(this.buf, this.off, this.end)
    if (this.version === 3) {
      const al = this.addrLen
      sum = onesSum(ipBuf, srcOff, srcOff + al, sum)
      sum = onesSum(ipBuf, dstOff, dstOff + al, sum)
      // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 3 zeros, next header
      sum += VRRP_PROTO + (len & 0xffff) + (al === 16 ? Math.floor(len / 0x10000) : 0)
    }
    return foldChecksum(sum) === 0xffff
  }
}
