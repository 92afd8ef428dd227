// Helpers for the wire-view tests: literal bytes from hex, and a check that a view never reads
// past `end` nor throws, for every prefix of a packet.

import {expect} from 'vitest'

/** Bytes from a hex string (whitespace ignored). */
export function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '')
  if (t.length % 2) throw new Error('odd hex')
  const out = new Uint8Array(t.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * For every prefix length n of `bytes` (0..len): wraps the view over bytes[off..n) twice – once in
 * the original buffer and once in a copy whose bytes from n on are inverted – and requires the
 * same verdict and, when accepted, the same snapshot of every field. A view that read anything at
 * or past `end` would see different bytes. Nothing may throw. Returns the lengths accepted.
 */
export function checkPrefixes<V>(make: () => V, wrap: (v: V, b: Uint8Array, off: number, end: number) => boolean,
  snapshot: (v: V) => unknown, bytes: Uint8Array, off = 0): number[] {
  const accepted: number[] = []
  for (let n = 0; n <= bytes.length; n++) {
    const other = bytes.slice()
    for (let i = n; i < other.length; i++) other[i] = ~other[i]! & 0xff
    const a = make(), b = make()
    const okA = wrap(a, bytes, off, n)
    const okB = wrap(b, other, off, n)
    expect(okB, `prefix ${n}`).toBe(okA)
    if (okA) {
      expect(snapshot(b), `prefix ${n}`).toEqual(snapshot(a))
      accepted.push(n)
    }
  }
  return accepted
}
