// Address strings without a string per packet: the same MAC or IPv4 address is formatted once and
// the same string object handed out again (and V8 keeps its hash, so Map lookups by it are cheap).
// IPv6 addresses are interned by a hash of their 16 bytes, checked against the bytes (four words).
// The tables are bounded: when one grows past its limit it starts again (addresses are re-formatted).

import {formatIpv4, formatIpv6, formatMac} from '../wire/format.js'

const LIMIT = 1 << 16

const SLOTS = 4096 // direct-mapped front cache: no Map lookup for the addresses of the moment

interface V6 {
  w0: number
  w1: number
  w2: number
  w3: number
  text: string
  next: V6 | null
}

export class AddressInterner {
  private readonly mac = new Map<number, string>()
  private readonly v4 = new Map<number, string>()
  private readonly macKeys = new Float64Array(SLOTS).fill(-1)
  private readonly macVals: string[] = new Array(SLOTS).fill('')
  private readonly v4Keys = new Float64Array(SLOTS).fill(-1)
  private readonly v4Vals: string[] = new Array(SLOTS).fill('')
  /** IPv6: by a hash of the address, chained; and a direct-mapped front cache like the others */
  private readonly v6 = new Map<number, V6>()
  private readonly v6Front: (V6 | null)[] = new Array(SLOTS).fill(null)

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
    // the 16 bytes as four 32-bit words: hashed, and compared without a copy of the bytes
    const w0 = (b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!
    const w1 = (b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!
    const w2 = (b[off + 8]! << 24) | (b[off + 9]! << 16) | (b[off + 10]! << 8) | b[off + 11]!
    const w3 = (b[off + 12]! << 24) | (b[off + 13]! << 16) | (b[off + 14]! << 8) | b[off + 15]!
    let h = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35), 0x27d4eb2f)
    h = (h ^ (h >>> 15)) & 0x3fffffff
    const slot = h & (SLOTS - 1)
    const f = this.v6Front[slot]!
    if (f !== null && f.w3 === w3 && f.w2 === w2 && f.w1 === w1 && f.w0 === w0) return f.text
    let e = this.v6.get(h)
    while (e !== undefined && !(e.w3 === w3 && e.w2 === w2 && e.w1 === w1 && e.w0 === w0)) e = e.next ?? undefined
    if (e === undefined) {
      if (this.v6.size >= LIMIT) this.v6.clear()
      e = {w0, w1, w2, w3, text: formatIpv6(b, off), next: this.v6.get(h) ?? null}
      this.v6.set(h, e)
    }
    this.v6Front[slot] = e
    return e.text
  }
}
