import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {Ipv6Packet, MAX_EXT_HEADERS} from './ipv6.js'

// pcapplusplus-raw-ip.pcap frame 1: TCP SYN 2001:618:400::5199:cc70 → 2001:618:1:8000::5 (payload 40)
const SYN = hex('600000000028 06 40 2001061804000000000000005199cc70 20010618000180000000000000000005' +
  '8c9b00506ae7073600000000a0021630299c00000204058c0402080a00dd1a390000000001030302')

const SRC = '20010db8000000000000000000000001'
const DST = '20010db8000000000000000000000002'
/** an IPv6 packet with next header `nh` and the given payload hex */
function v6(nh: number, payload: string): Uint8Array {
  const p = hex(payload)
  const len = p.length.toString(16).padStart(4, '0')
  return hex('60000000' + len + nh.toString(16).padStart(2, '0') + '40' + SRC + DST + payload)
}
const UDP = '1f9000350008 0000'.replace(/ /g, '')

const snap = (p: Ipv6Packet) => ({src: p.src, dst: p.dst, proto: p.protocol, off: p.payloadOffset, end: p.end, tr: p.truncated,
  frag: p.isFragment, first: p.hasTransportHeader, n: p.extHeaders, hl: p.hopLimit})

describe('Ipv6Packet', () => {
  const p = new Ipv6Packet()
  it('reads the fixed header', () => {
    expect(p.wrap(SYN, 0, SYN.length)).toBe(true)
    expect(snap(p)).toEqual({src: '2001:618:400::5199:cc70', dst: '2001:618:1:8000::5', proto: 6, off: 40, end: 80, tr: false,
      frag: false, first: true, n: 0, hl: 64})
  })
  it('walks hop-by-hop, routing, destination options and a first fragment to UDP', () => {
    const b = v6(0,
      '2b00010400000000' + // hop-by-hop: next 43 (routing), hdr ext len 0 → 8 bytes
      '3c00000000000000' + // routing: next 60, 8 bytes
      '2c01' + '00'.repeat(14) + // destination options: next 44, len 1 → 16 bytes
      '1100000112345678' + // fragment: next UDP, offset 0, M=1
      UDP)
    expect(p.wrap(b, 0, b.length)).toBe(true)
    expect(snap(p)).toMatchObject({proto: 17, off: 40 + 8 + 8 + 16 + 8, frag: true, first: true, n: 4})
  })
  it('a non-first fragment has no transport header', () => {
    const b = v6(44, '11000b9012345678' + UDP)
    expect(p.wrap(b, 0, b.length)).toBe(true)
    expect(snap(p)).toMatchObject({proto: 17, frag: true, first: false, n: 1, off: 48})
  })
  it(`accepts ${MAX_EXT_HEADERS} extension headers, rejects one more`, () => {
    const mk = (n: number) => v6(60, '3c00000000000000'.repeat(n - 1) + '1100000000000000' + UDP)
    expect(p.wrap(mk(MAX_EXT_HEADERS), 0, mk(MAX_EXT_HEADERS).length)).toBe(true)
    expect(p.extHeaders).toBe(MAX_EXT_HEADERS)
    expect(p.wrap(mk(MAX_EXT_HEADERS + 1), 0, mk(MAX_EXT_HEADERS + 1).length)).toBe(false)
  })
  it('rejects an extension header that runs past the payload, or a wrong version', () => {
    const b = v6(60, '11ff000000000000' + UDP) // dst opts claims (255+1)*8 bytes
    expect(p.wrap(b, 0, b.length)).toBe(false)
    const w = SYN.slice(); w[0] = 0x45
    expect(p.wrap(w, 0, w.length)).toBe(false)
  })
  it('a payload cut by the snaplen is truncated, not malformed; ext headers must be there', () => {
    expect(p.wrap(SYN, 0, 60)).toBe(true)
    expect([p.end, p.truncated, p.upperLength]).toEqual([60, true, 20])
    const b = v6(0, '1100000000000000' + UDP)
    expect(p.wrap(b, 0, 44)).toBe(false)
  })
  it('every prefix', () => {
    const acc = checkPrefixes(() => new Ipv6Packet(), (v, b, o, n) => v.wrap(b, o, n), snap, SYN)
    expect(acc[0]).toBe(40)
    // hop-by-hop → routing → fragment → UDP: the walk needs all 24 bytes of extension headers
    const b = v6(0, '2b00010400000000' + '2c00000000000000' + '1100000112345678' + UDP)
    const acc2 = checkPrefixes(() => new Ipv6Packet(), (v, b2, o, n) => v.wrap(b2, o, n), snap, b)
    expect(acc2[0]).toBe(40 + 24)
  })
})
