// Ethernet II with stacked VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8, legacy QinQ 0x9100).
// A reusable, checked view: wrap() once per frame, then read the fields in place.

import {formatMac} from './format.js'

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  RARP: 0x8035,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
} as const

/** At most this many stacked tags; a frame with more is malformed. */
export const MAX_VLAN_TAGS = 8

export function isVlanTpid(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100
}

/** Walks stacked VLAN tags starting at `off` where `etherType` (already read) is a TPID.
 *  Shared by Ethernet and the cooked (SLL/SLL2) headers, which may carry untagged-by-kernel tags. */
export class VlanStack {
  /** VLAN ids, outermost first; only the first `count` entries are valid. */
  readonly ids = new Uint16Array(MAX_VLAN_TAGS)
  count = 0
  /** the ethertype after the last tag */
  etherType = 0
  /** offset of the payload after the last tag */
  payloadOffset = 0

  /** false when a tag is cut short or there are more than MAX_VLAN_TAGS. */
  walk(buf: Uint8Array, off: number, end: number, etherType: number): boolean {
    let n = 0
    while (isVlanTpid(etherType)) {
      if (n === MAX_VLAN_TAGS || off + 4 > end) return false
      this.ids[n++] = ((buf[off]! << 8) | buf[off + 1]!) & 0x0fff
      etherType = (buf[off + 2]! << 8) | buf[off + 3]!
      off += 4
    }
    this.count = n
    this.etherType = etherType
    this.payloadOffset = off
    return true
  }

  /** A fresh array of the ids (for an event). */
  toArray(): number[] {
    const a = new Array<number>(this.count)
    for (let i = 0; i < this.count; i++) a[i] = this.ids[i]!
    return a
  }
}

export class EthernetFrame {
  buf: Uint8Array = new Uint8Array(0)
  off = 0
  end = 0
  readonly vlan = new VlanStack()

  /** false when shorter than 14 bytes or when the VLAN tags are cut short / too many. */
  wrap(buf: Uint8Array, off: number, end: number): boolean {
    if (off < 0 || end > buf.length || off + 14 > end) return false
    this.buf = buf
    this.off = off
    this.end = end
    return this.vlan.walk(buf, off + 14, end, (buf[off + 12]! << 8) | buf[off + 13]!)
  }

  get dst(): string { return formatMac(this.buf, this.off) }
  get src(): string { return formatMac(this.buf, this.off + 6) }
  /** ethertype after any VLAN tags; a value < 0x0600 is an 802.3 length (no Ethernet II payload) */
  get etherType(): number { return this.vlan.etherType }
  get payloadOffset(): number { return this.vlan.payloadOffset }
  get vlanCount(): number { return this.vlan.count }
}
