// Address keys: a small integer (0 … 2^30 - 1, a V8 "small integer", so Map lookups by it allocate
// nothing) computed from an IPv4 or IPv6 address's bytes. Equal addresses give equal keys;
// different addresses may collide, so a table keyed by them must still compare the addresses.
// The checks key their flow tables by these numbers instead of building a string per packet.

import {createRequire} from 'node:module'
import type Ipaddr from 'ipaddr.js'

// ipaddr.js only for addressKeyOf (tests, configuration), loaded on first use: not at start-up
let ipaddrModule: typeof Ipaddr | undefined
const ipaddr = (): typeof Ipaddr => (ipaddrModule ??= createRequire(import.meta.url)('ipaddr.js') as typeof Ipaddr)

function fold(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) & 0x3fffffff
}

/** Key of the IPv4 address at b[off, off + 4). */
export function ipv4Key(b: Uint8Array, off: number): number {
  return fold((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!)
}

/** Key of the IPv6 address at b[off, off + 16). */
export function ipv6Key(b: Uint8Array, off: number): number {
  let h = 0x6a09e667
  for (let i = 0; i < 16; i += 4) {
    h = Math.imul(h ^ ((b[off + i]! << 24) | (b[off + i + 1]! << 16) | (b[off + i + 2]! << 8) | b[off + i + 3]!), 0x9e3779b1)
    h ^= h >>> 15
  }
  return fold(h)
}

/** The same key from an address's text (tests, configuration): -1 when it is not an address. */
export function addressKeyOf(text: string): number {
  if (!ipaddr().isValid(text)) return -1
  const a = ipaddr().parse(text)
  const b = Uint8Array.from(a.toByteArray())
  return a.kind() === 'ipv4' ? ipv4Key(b, 0) : ipv6Key(b, 0)
}
