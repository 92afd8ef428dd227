// ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861).
//   errors 1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem (quote the packet)
//   echo 128 request / 129 reply
//   135 NS: 4 reserved, 8 target, 24 options;  136 NA: 4 flags R 0x80 S 0x40 O 0x20, 8 target, 24 options
// ND options: type, length in units of 8 bytes (0 = malformed); 1 source / 2 target link-layer address.

import type {QuotedHeader} from '../decode/events.js'
import {formatIpv6, formatMac} from './format.js'
import {Ipv6Packet} from './ipv6.js'
import {quotedIpv6} from './quoted.js'

export const Icmpv6Type = {
  UNREACHABLE: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, PARAM_PROBLEM: 4,
  ECHO_REQUEST: 128, ECHO_REPLY: 129,
  ROUTER_SOLICIT: 133, ROUTER_ADVERT: 134, NEIGHBOR_SOLICIT: 135, NEIGHBOR_ADVERT: 136, REDIRECT: 137,
} as const

export const NdOption = {SOURCE_LLADDR: 1, TARGET_LLADDR: 2} as const

export class Icmpv6Packet {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0
  /** offset of the link-layer address in the source (1) / target (2) link-layer option, -1 if absent */
  srcLlOffset = -1
  tgtLlOffset = -1
  private readonly inner = new Ipv6Packet()

  /**
   * false when fewer than 4 bytes, an echo / error shorter than 8, an NS/NA shorter than 24, or an
   * NS/NA option with length 0 or cut short.
   * The first option of each kind wins (as tshark's icmpv6.opt.linkaddr first occurrence).
   */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 4 > end) return false
    const type = buf[off]!
    this.srcLlOffset = -1
    this.tgtLlOffset = -1
    if (type === 135 || type === 136) {
      if (off + 24 > end) return false
      let p = off + 24
      while (p < end) {
        if (p + 2 > end) return false
        const ot = buf[p]!
        const olen = buf[p + 1]! * 8
        if (olen === 0 || p + olen > end) return false
        if (ot === 1 && this.srcLlOffset < 0) this.srcLlOffset = p + 2
        else if (ot === 2 && this.tgtLlOffset < 0) this.tgtLlOffset = p + 2
        p += olen
      }
    } else if (type < 128 || type === 128 || type === 129) {
      if (off + 8 > end) return false
    }
    this.buf = buf
    this.off = off
    this.end = end
    return true
  }

  get type(): number { return this.buf[this.off]! }
  get code(): number { return this.buf[this.off + 1]! }
  get checksum(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get isEcho(): boolean { const t = this.type; return t === 128 || t === 129 }
  get isError(): boolean { const t = this.type; return t >= 1 && t <= 4 }
  get isNd(): boolean { const t = this.type; return t === 135 || t === 136 }
  get identifier(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  get sequence(): number { return (this.buf[this.off + 6]! << 8) | this.buf[this.off + 7]! }
  /** NA flags (false for other types) */
  get router(): boolean { return this.type === 136 && (this.buf[this.off + 4]! & 0x80) !== 0 }
  get solicited(): boolean { return this.type === 136 && (this.buf[this.off + 4]! & 0x40) !== 0 }
  get override(): boolean { return this.type === 136 && (this.buf[this.off + 4]! & 0x20) !== 0 }
  /** NS/NA target address */
  get target(): string { return formatIpv6(this.buf, this.off + 8) }
  get sourceLladdr(): string { return this.srcLlOffset >= 0 && this.srcLlOffset + 6 <= this.end ? formatMac(this.buf, this.srcLlOffset) : '' }
  get targetLladdr(): string { return this.tgtLlOffset >= 0 && this.tgtLlOffset + 6 <= this.end ? formatMac(this.buf, this.tgtLlOffset) : '' }
  get payloadOffset(): number { return this.off + 8 }
  get payloadLength(): number { return Math.max(0, this.end - this.off - 8) }
  quoted(): QuotedHeader | null {
    if (!this.isError) return null
    return quotedIpv6(this.inner, this.buf, this.off + 8, this.end)
  }
}
