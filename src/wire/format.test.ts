import ipaddr from 'ipaddr.js'
import {describe, expect, it} from 'vitest'
import {hex} from '../../test/helpers/hex.js'
import {formatIp, formatIpv4, formatIpv6, formatMac} from './format.js'

function rfc5952(b: Uint8Array): string {
  return (ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6).toRFC5952String()
}

describe('formatMac / formatIpv4', () => {
  it('formats lowercase, zero-padded MACs and dotted quads at an offset', () => {
    expect(formatMac(hex('ff 00005e00010a 0b'), 1)).toBe('00:00:5e:00:01:0a')
    expect(formatMac(hex('ABCDEF012345'), 0)).toBe('ab:cd:ef:01:23:45')
    expect(formatIpv4(hex('00 c0a8c70a'), 1)).toBe('192.168.199.10')
    expect(formatIpv4(hex('00000000'), 0)).toBe('0.0.0.0')
    expect(formatIpv4(hex('ffffffff'), 0)).toBe('255.255.255.255')
    expect(formatIp(hex('0a000001'), 0, 4)).toBe('10.0.0.1')
  })
})

describe('formatIpv6 (RFC 5952)', () => {
  const cases: Array<[string, string]> = [
    ['fe800000000000000000000000000001', 'fe80::1'],
    ['ff020000000000000000000000000012', 'ff02::12'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000000000000000000000', '2001:db8::'],
    ['20010db8000100000000000000000010', '2001:db8:1::10'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'], // a lone zero group is not shortened
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // first of two equal runs
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    ['00000000000100000000000000000000', '0:0:1::'], // the longer run wins
    ['20010db8aaaabbbbccccddddeeee0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ['00000000000000000000ffffc0a80001', '::ffff:c0a8:1'], // no dotted tail, as ipaddr.js
    ['fe80000000000000c00054fffef50000', 'fe80::c000:54ff:fef5:0'],
  ]
  for (const [h, want] of cases) {
    it(`${h} → ${want}`, () => {
      const b = hex(h)
      expect(formatIpv6(b, 0)).toBe(want)
      expect(rfc5952(b)).toBe(want)
    })
  }

  it('agrees with ipaddr.js toRFC5952String on 20 000 addresses rich in zero groups', () => {
    let seed = 0x12345678
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 16 }
    const b = new Uint8Array(17)
    for (let n = 0; n < 20000; n++) {
      for (let g = 0; g < 8; g++) {
        const r = rnd()
        const v = r % 3 === 0 ? rnd() : r % 7 === 1 ? rnd() & 0xf : 0 // many zero groups
        b[1 + 2 * g] = v >> 8
        b[2 + 2 * g] = v & 0xff
      }
      expect(formatIpv6(b, 1)).toBe(rfc5952(b.subarray(1)))
    }
  })
})
