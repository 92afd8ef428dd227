// Crafting the few frames drcheck sends with --probe: ARP who-has (arping -D style), IPv6
// neighbour solicitation (ndisc6 style), TCP SYN / RST over IPv4 and IPv6, all on Ethernet.
// Addresses come in the canonical text forms of decode/events.ts; checksums are filled in.

import ipaddr from 'ipaddr.js'
import {foldChecksum, onesSum} from './checksum.js'

export function macBytes(mac: string): number[] {
  const parts = mac.split(':').map((h) => Number.parseInt(h, 16))
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`not a MAC: ${mac}`)
  return parts
}

export function ipBytes(ip: string): number[] {
  return ipaddr.parse(ip).toByteArray()
}

function ethernet(dst: string, src: string, type: number, payload: Uint8Array): Buffer {
  // at least 60 bytes on the wire (64 with the FCS the NIC adds)
  const b = Buffer.alloc(Math.max(60, 14 + payload.length))
  b.set(macBytes(dst), 0)
  b.set(macBytes(src), 6)
  b.writeUInt16BE(type, 12)
  b.set(payload, 14)
  return b
}

/** ARP request for `targetIp` (sender IP 0.0.0.0 unless given: a duplicate-address probe). */
export function arpWhoHas(srcMac: string, targetIp: string, senderIp = '0.0.0.0'): Buffer {
  const a = Buffer.alloc(28)
  a.writeUInt16BE(1, 0) // Ethernet
  a.writeUInt16BE(0x0800, 2)
  a[4] = 6; a[5] = 4
  a.writeUInt16BE(1, 6) // request
  a.set(macBytes(srcMac), 8)
  a.set(ipBytes(senderIp), 14)
  // target hardware address stays zero
  a.set(ipBytes(targetIp), 24)
  return ethernet('ff:ff:ff:ff:ff:ff', srcMac, 0x0806, a)
}

function ipv6Header(src: string, dst: string, next: number, payloadLen: number, hopLimit: number): Buffer {
  const h = Buffer.alloc(40)
  h.writeUInt32BE(0x60000000, 0)
  h.writeUInt16BE(payloadLen, 4)
  h[6] = next
  h[7] = hopLimit
  h.set(ipBytes(src), 8)
  h.set(ipBytes(dst), 24)
  return h
}

/** One's-complement checksum of an upper-layer payload with the IPv6 pseudo-header. */
function v6Checksum(ip6: Buffer, upper: Buffer, next: number): number {
  let sum = onesSum(ip6, 8, 40)
  sum += upper.length >>> 16
  sum += upper.length & 0xffff
  sum += next
  sum = onesSum(upper, 0, upper.length, sum)
  return (~foldChecksum(sum)) & 0xffff
}

function v4Checksum(src: number[], dst: number[], proto: number, upper: Buffer): number {
  const pseudo = Buffer.from([...src, ...dst, 0, proto, upper.length >> 8, upper.length & 0xff])
  let sum = onesSum(pseudo, 0, pseudo.length)
  sum = onesSum(upper, 0, upper.length, sum)
  return (~foldChecksum(sum)) & 0xffff
}

/** The solicited-node multicast address of an IPv6 address and its Ethernet multicast MAC. */
export function solicitedNode(target: string): {ip: string, mac: string} {
  const t = ipBytes(target)
  const hex = (n: number) => n.toString(16).padStart(2, '0')
  return {
    ip: ipaddr.fromByteArray([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, t[13]!, t[14]!, t[15]!]).toString(),
    mac: `33:33:ff:${hex(t[13]!)}:${hex(t[14]!)}:${hex(t[15]!)}`,
  }
}

/**
 * Neighbour solicitation for `target`, to its solicited-node group. With the unspecified source
 * `::` (duplicate address detection) no source link-layer option is sent (RFC 4861 4.3).
 */
export function neighbourSolicitation(srcMac: string, srcIp: string, target: string): Buffer {
  const sn = solicitedNode(target)
  const withOpt = srcIp !== '::'
  const icmp = Buffer.alloc(24 + (withOpt ? 8 : 0))
  icmp[0] = 135
  icmp.set(ipBytes(target), 8)
  if (withOpt) {
    icmp[24] = 1 // source link-layer address
    icmp[25] = 1 // length in units of 8 bytes
    icmp.set(macBytes(srcMac), 26)
  }
  const ip6 = ipv6Header(srcIp, sn.ip, 58, icmp.length, 255)
  icmp.writeUInt16BE(v6Checksum(ip6, icmp, 58), 2)
  return ethernet(sn.mac, srcMac, 0x86dd, Buffer.concat([ip6, icmp]))
}

export const TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10

export interface TcpSegment {
  srcMac: string
  dstMac: string
  srcIp: string
  dstIp: string
  sport: number
  dport: number
  seq: number
  ack?: number
  flags: number
}

/** A TCP segment without payload (SYN carries an MSS option), IPv4 or IPv6 by the addresses. */
export function tcpSegment(s: TcpSegment): Buffer {
  const syn = (s.flags & TCP_SYN) !== 0
  const tcp = Buffer.alloc(syn ? 24 : 20)
  tcp.writeUInt16BE(s.sport, 0)
  tcp.writeUInt16BE(s.dport, 2)
  tcp.writeUInt32BE(s.seq >>> 0, 4)
  tcp.writeUInt32BE((s.ack ?? 0) >>> 0, 8)
  tcp[12] = (tcp.length / 4) << 4
  tcp[13] = s.flags
  tcp.writeUInt16BE(s.flags & TCP_RST ? 0 : 64240, 14)
  if (syn) { tcp[20] = 2; tcp[21] = 4; tcp.writeUInt16BE(1460, 22) }
  const v6 = s.srcIp.includes(':')
  if (v6) {
    const ip6 = ipv6Header(s.srcIp, s.dstIp, 6, tcp.length, 64)
    tcp.writeUInt16BE(v6Checksum(ip6, tcp, 6), 16)
    return ethernet(s.dstMac, s.srcMac, 0x86dd, Buffer.concat([ip6, tcp]))
  }
  const src = ipBytes(s.srcIp), dst = ipBytes(s.dstIp)
  const ip = Buffer.alloc(20)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + tcp.length, 2)
  ip.writeUInt16BE((Math.random() * 0x10000) & 0xffff, 4)
  ip.writeUInt16BE(0x4000, 6) // DF
  ip[8] = 64
  ip[9] = 6
  ip.set(src, 12)
  ip.set(dst, 16)
  ip.writeUInt16BE((~foldChecksum(onesSum(ip, 0, 20))) & 0xffff, 10)
  tcp.writeUInt16BE(v4Checksum(src, dst, 6, tcp), 16)
  return ethernet(s.dstMac, s.srcMac, 0x0800, Buffer.concat([ip, tcp]))
}
