// Address strings without a string per packet: the same MAC or IPv4 address is formatted once and
// the same string object handed out again (and V8 keeps its hash, so Map lookups by it are cheap).
// IPv6 addresses are interned by their 16 bytes folded into a number, checked against the bytes.
// The tables are bounded: when one grows past its limit it starts again (addresses are re-formatted).

import {formatIpv4, formatIpv6, formatMac} from '../wire/format.js'

const LIMIT = 1 << 16

const SLOTS = 4096 // direct-mapped front cache: no Map lookup for the addresses of the moment

export class AddressInterner {
  private readonly mac = new Map<number, string>()
  private readonly v4 = new Map<number, string>()
  private readonly macKeys = new Float64Array(SLOTS).fill(-1)
  private readonly macVals: string[] = new Array(SLOTS).fill('')
  private readonly v4Keys = new Float64Array(SLOTS).fill(-1)
  private readonly v4Vals: string[] = new Array(SLOTS).fill('')
  private readonly v6 = new Map<number, {bytes: Uint8Array, text: string}[]>()

  macAt(b: Uint8Array, off: number): string {
    // 48 bits fit a double exactly
    const low = b[off + 3]! << 16 | b[off + 4]! << 8 | b[off + 5]!
    const key = (b[off]! * 0x10000 + (b[off + 1]! << 8 | b[off + 2]!)) * 0x1000000 + low
    const slot = (low ^ (low >>> 12)) & (SLOTS - 1)
    if (this.macKeys[slot] === key) return this.macVals[slot]!
    let s = this.mac.get(key)
    if (s === undefined) {
      if (this.mac.size >= LIMIT) this.mac.clear()
      s = formatMac(b, off)
      this.mac.set(key, s)
    }
    this.macKeys[slot] = key
    this.macVals[slot] = s
    return s
  }

  ipv4At(b: Uint8Array, off: number): string {
    const key = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0
    const slot = (key ^ (key >>> 12) ^ (key >>> 24)) & (SLOTS - 1)
    if (this.v4Keys[slot] === key) return this.v4Vals[slot]!
    let s = this.v4.get(key)
    if (s === undefined) {
      if (this.v4.size >= LIMIT) this.v4.clear()
      s = formatIpv4(b, off)
      this.v4.set(key, s)
    }
    this.v4Keys[slot] = key
    this.v4Vals[slot] = s
    return s
  }

  ipv6At(b: Uint8Array, off: number): string {
    let h = 0x811c9dc5
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[off + i]!, 0x01000193)
    let bucket = this.v6.get(h)
    if (bucket) {
      outer: for (const e of bucket) {
        for (let i = 0; i < 16; i++) if (e.bytes[i] !== b[off + i]) continue outer
        return e.text
      }
    } else {
      if (this.v6.size >= LIMIT) this.v6.clear()
      this.v6.set(h, (bucket = []))
    }
    const text = formatIpv6(b, off)
    bucket.push({bytes: b.slice(off, off + 16), text})
    return text
  }
}
