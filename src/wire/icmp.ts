// ICMP for IPv4 (RFC 792): echo (8 request / 0 reply) with identifier and sequence number;
// errors that quote the invoking packet: 3 unreachable, 4 source quench, 5 redirect,
// 11 time exceeded, 12 parameter problem.

import type {QuotedHeader} from '../decode/events.js'
import {Ipv4Packet} from './ipv4.js'
import {quotedIpv4} from './quoted.js'

export const IcmpType = {ECHO_REPLY: 0, UNREACHABLE: 3, SOURCE_QUENCH: 4, REDIRECT: 5, ECHO_REQUEST: 8, TIME_EXCEEDED: 11, PARAM_PROBLEM: 12} as const

export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12
}

export class IcmpPacket {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0
  private readonly inner = new Ipv4Packet()

  /** false when fewer than 8 bytes (every ICMP message has an 8-byte header). */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 8 > end) return false
    this.buf = buf
    this.off = off
    this.end = end
    return true
  }

  get type(): number { return this.buf[this.off]! }
  get code(): number { return this.buf[this.off + 1]! }
  get checksum(): number { return (this.buf[this.off + 2]! << 8) | this.buf[this.off + 3]! }
  get isEcho(): boolean { const t = this.type; return t === 8 || t === 0 }
  get isError(): boolean { return isIcmpError(this.type) }
  /** echo identifier (meaningful for echo only) */
  get identifier(): number { return (this.buf[this.off + 4]! << 8) | this.buf[this.off + 5]! }
  get sequence(): number { return (this.buf[this.off + 6]! << 8) | this.buf[this.off + 7]! }
  /** data after the 8-byte header */
  get payloadOffset(): number { return this.off + 8 }
  get payloadLength(): number { return this.end - this.off - 8 }
  /** the quoted header of an error message (a fresh object); null for other types or when the
   *  quoted IPv4 header is cut short / not IPv4 */
  quoted(): QuotedHeader | null {
    if (!this.isError) return null
    return quotedIpv4(this.inner, this.buf, this.off + 8, this.end)
  }
}
