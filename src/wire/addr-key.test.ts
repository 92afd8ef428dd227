import {describe, expect, it} from 'vitest'
import {addressKeyOf, ipv4Key, ipv6Key} from './addr-key.js'

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16)))

describe('address keys', () => {
  it('from the bytes and from the text agree, at any offset, and are small integers', () => {
    const v4 = hex('ffff c6336 40a ffff'.replace(/ /g, '')) // 198.51.100.10 at offset 2
    expect(ipv4Key(v4, 2)).toBe(addressKeyOf('198.51.100.10'))
    const v6 = hex('00 20010db8000100000000000000000010') // 2001:db8:1::10 at offset 1
    expect(ipv6Key(v6, 1)).toBe(addressKeyOf('2001:db8:1::10'))
    for (const k of [ipv4Key(v4, 2), ipv6Key(v6, 1)]) {
      expect(Number.isInteger(k) && k >= 0 && k < 2 ** 30).toBe(true)
    }
    expect(addressKeyOf('not an address')).toBe(-1)
  })

  it('spread distinct addresses over distinct keys (a /16 of clients: almost no collisions)', () => {
    const keys = new Set<number>()
    const b = new Uint8Array(4)
    for (let i = 0; i < 65536; i++) {
      b.set([203, 0, i >> 8, i & 255])
      keys.add(ipv4Key(b, 0))
    }
    expect(keys.size).toBeGreaterThan(65500)
  })
})
