// The packet header an ICMP / ICMPv6 error quotes (RFC 792: IP header + first 8 bytes;
// RFC 4443: as much of the invoking packet as fits).

import type {QuotedHeader} from '../decode/events.js'
import {Ipv4Packet} from './ipv4.js'
import {Ipv6Packet} from './ipv6.js'
import {ipv4Key, ipv6Key} from './addr-key.js'

/** Ports of a quoted transport header at b[off..end): TCP/UDP/SCTP ports, ICMP/ICMPv6 echo
 *  identifier in both; 0 when not there. Writes into out[0], out[1]. */
export function quotedPorts(b: Uint8Array, off: number, end: number, proto: number, out: Uint16Array): void {
  out[0] = 0
  out[1] = 0
  if (proto === 6 || proto === 17 || proto === 132) {
    if (off + 4 <= end) {
      out[0] = (b[off]! << 8) | b[off + 1]!
      out[1] = (b[off + 2]! << 8) | b[off + 3]!
    }
  } else if (proto === 1 || proto === 58) {
    if (off + 6 <= end) {
      const t = b[off]!
      if (proto === 1 ? t === 8 || t === 0 : t === 128 || t === 129) {
        out[0] = out[1] = (b[off + 4]! << 8) | b[off + 5]!
      }
    }
  }
}

const ports = new Uint16Array(2)

/** Decodes a quoted IPv4 header; null when it is not a usable IPv4 header. */
export function quotedIpv4(view: Ipv4Packet, b: Uint8Array, off: number, end: number): QuotedHeader | null {
  if (!view.wrap(b, off, end)) return null
  if (view.hasTransportHeader) quotedPorts(b, view.payloadOffset, view.end, view.protocol, ports)
  else ports[0] = ports[1] = 0
  return {ipSrc: view.src, ipDst: view.dst, srcKey: ipv4Key(b, view.srcOffset), dstKey: ipv4Key(b, view.dstOffset),
    proto: view.protocol, sport: ports[0]!, dport: ports[1]!}
}

/** Decodes a quoted IPv6 header (with its extension headers); null when unusable. */
export function quotedIpv6(view: Ipv6Packet, b: Uint8Array, off: number, end: number): QuotedHeader | null {
  if (!view.wrap(b, off, end)) return null
  if (view.hasTransportHeader) quotedPorts(b, view.payloadOffset, view.end, view.protocol, ports)
  else ports[0] = ports[1] = 0
  return {ipSrc: view.src, ipDst: view.dst, srcKey: ipv6Key(b, view.srcOffset), dstKey: ipv6Key(b, view.dstOffset),
    proto: view.protocol, sport: ports[0]!, dport: ports[1]!}
}
