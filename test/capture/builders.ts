// Test-only builders for small synthetic pcap / pcapng files, written field by field from the
// format specs (not with the code under test), plus temp-file helpers.

import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const tmp = mkdtempSync(join(tmpdir(), 'drcheck-capture-'))

let n = 0
/** Writes bytes to a new temp file and returns its path. */
export function tmpFile(bytes: Uint8Array, name = 'f'): string {
  const p = join(tmp, `${n++}-${name}`)
  writeFileSync(p, bytes)
  return p
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Bytes 0, 1, 2, ... (mod 256) starting at `seed`: recognisable packet contents. */
export function pattern(len: number, seed = 0): Uint8Array {
  const b = new Uint8Array(len)
  for (let i = 0; i < len; i++) b[i] = (seed + i) & 0xff
  return b
}

// ---- classic pcap ------------------------------------------------------------------------------

export interface PcapHeaderOpts {
  le?: boolean
  nanos?: boolean
  major?: number
  minor?: number
  snaplen?: number
  /** the whole 32-bit link-type field */
  linkType?: number
}

export function pcapHeader(o: PcapHeaderOpts = {}): Uint8Array {
  const le = o.le ?? true
  const b = new Uint8Array(24)
  const v = new DataView(b.buffer)
  v.setUint32(0, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le)
  v.setUint16(4, o.major ?? 2, le)
  v.setUint16(6, o.minor ?? 4, le)
  v.setUint32(16, o.snaplen ?? 65535, le)
  v.setUint32(20, o.linkType ?? 1, le)
  return b
}

export function pcapRecord(sec: number, frac: number, data: Uint8Array, o: {le?: boolean; origLen?: number; inclLen?: number} = {}): Uint8Array {
  const le = o.le ?? true
  const b = new Uint8Array(16 + data.length)
  const v = new DataView(b.buffer)
  v.setUint32(0, sec, le)
  v.setUint32(4, frac, le)
  v.setUint32(8, o.inclLen ?? data.length, le)
  v.setUint32(12, o.origLen ?? data.length, le)
  b.set(data, 16)
  return b
}

// ---- pcapng ------------------------------------------------------------------------------------

const pad4 = (n: number): number => (n + 3) & ~3

/** type | total length | body padded to 4 | total length */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const len = 12 + pad4(body.length)
  const b = new Uint8Array(len)
  const v = new DataView(b.buffer)
  v.setUint32(0, type, le)
  v.setUint32(4, len, le)
  b.set(body, 8)
  v.setUint32(len - 4, len, le)
  return b
}

/** One option: code | length | value padded to 4. */
export function option(code: number, value: Uint8Array, le = true): Uint8Array {
  const b = new Uint8Array(4 + pad4(value.length))
  const v = new DataView(b.buffer)
  v.setUint16(0, code, le)
  v.setUint16(2, value.length, le)
  b.set(value, 4)
  return b
}

export const endOfOptions = new Uint8Array(4)

export function shb(le = true, major = 1, minor = 0): Uint8Array {
  const body = new Uint8Array(16)
  const v = new DataView(body.buffer)
  v.setUint32(0, 0x1a2b3c4d, le)
  v.setUint16(4, major, le)
  v.setUint16(6, minor, le)
  v.setBigInt64(8, -1n, le)
  return block(0x0a0d0d0a, body, le)
}

export function idb(le: boolean, linkType: number, snaplen: number, opts: {tsresol?: number; tsoffset?: bigint; name?: string} = {}): Uint8Array {
  const fixed = new Uint8Array(8)
  const v = new DataView(fixed.buffer)
  v.setUint16(0, linkType, le)
  v.setUint32(4, snaplen, le)
  const parts = [fixed]
  if (opts.name !== undefined) parts.push(option(2, new TextEncoder().encode(opts.name), le))
  if (opts.tsresol !== undefined) parts.push(option(9, Uint8Array.of(opts.tsresol), le))
  if (opts.tsoffset !== undefined) {
    const o = new Uint8Array(8)
    new DataView(o.buffer).setBigInt64(0, opts.tsoffset, le)
    parts.push(option(14, o, le))
  }
  if (parts.length > 1) parts.push(endOfOptions)
  return block(1, concat(...parts), le)
}

export function epb(le: boolean, ifid: number, units: bigint, data: Uint8Array, origLen = data.length, capLen = data.length): Uint8Array {
  const fixed = new Uint8Array(20)
  const v = new DataView(fixed.buffer)
  v.setUint32(0, ifid, le)
  v.setUint32(4, Number(units >> 32n), le)
  v.setUint32(8, Number(units & 0xffffffffn), le)
  v.setUint32(12, capLen, le)
  v.setUint32(16, origLen, le)
  return block(6, concat(fixed, data), le)
}

/** Obsolete Packet Block (type 2). */
export function pb(le: boolean, ifid: number, units: bigint, data: Uint8Array, origLen = data.length): Uint8Array {
  const fixed = new Uint8Array(20)
  const v = new DataView(fixed.buffer)
  v.setUint16(0, ifid, le)
  v.setUint16(2, 0xffff, le) // drops count unknown
  v.setUint32(4, Number(units >> 32n), le)
  v.setUint32(8, Number(units & 0xffffffffn), le)
  v.setUint32(12, data.length, le)
  v.setUint32(16, origLen, le)
  return block(2, concat(fixed, data), le)
}

export function spb(le: boolean, data: Uint8Array, origLen = data.length): Uint8Array {
  const fixed = new Uint8Array(4)
  new DataView(fixed.buffer).setUint32(0, origLen, le)
  return block(3, concat(fixed, data), le)
}
