import ipaddr from 'ipaddr.js'
import {describe, expect, it} from 'vitest'
import {AddressInterner} from '../../src/decode/intern.js'

let seed = 12345
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32)

describe('AddressInterner', () => {
  it('IPv6: the RFC 5952 text (as ipaddr.js writes it), the same string object for the same address, past the table limit', () => {
    const n = new AddressInterner()
    const buf = new Uint8Array(16 * 3)
    const seen = new Map<string, string>()
    for (let i = 0; i < 150_000; i++) {
      // a few prefixes, zero runs and high bytes (sign bit of a 32-bit word) on purpose
      const bytes = Array.from({length: 16}, (_, j) => (j < 4 ? [0x20, 0x01, 0x0d, 0xb8][j]! : rnd() < 0.4 ? 0 : rnd() < 0.5 ? 0xff : (rnd() * 256) | 0))
      const at = 16 * (i % 3)
      buf.set(bytes, at)
      const text = n.ipv6At(buf, at)
      const want = ipaddr.fromByteArray(bytes).toRFC5952String()
      expect(text).toBe(want)
      if (i % 1000 === 0) seen.set(want, text)
    }
    // addresses seen long ago: still the right text (re-formatted after the table started again)
    for (const [want] of seen) {
      const b = Uint8Array.from(ipaddr.parse(want).toByteArray())
      expect(n.ipv6At(b, 0)).toBe(want)
    }
    const a = Uint8Array.from(ipaddr.parse('2001:db8:1::10').toByteArray())
    expect(n.ipv6At(a, 0)).toBe('2001:db8:1::10')
    expect(Object.is(n.ipv6At(a, 0), n.ipv6At(Uint8Array.from(a), 0))).toBe(true)
  })

  it('IPv4 and MAC: the canonical text', () => {
    const n = new AddressInterner()
    const b = Uint8Array.from([198, 51, 100, 10, 0x02, 0, 0, 0, 0, 0x21])
    expect(n.ipv4At(b, 0)).toBe('198.51.100.10')
    expect(n.macAt(b, 4)).toBe('02:00:00:00:00:21')
  })
})
