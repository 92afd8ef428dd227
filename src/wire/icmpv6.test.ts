import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {Icmpv6Packet} from './icmpv6.js'
import {addressKeyOf} from './addr-key.js'

// pcapplusplus-icmpv6-neigh-adv-soli.pcap, ICMPv6 parts.
// frame 1: DAD NS, target fe80::c000:54ff:fef5:0, no options
const NS = hex('8700673c00000000 fe80000000000000c00054fffef50000')
// frame 2: NA R=1 S=0 O=1, target fe80::c000:54ff:fef5:0, target link-layer option c2:00:54:f5:00:00
const NA = hex('88009abb a0000000 fe80000000000000c00054fffef50000 0201c20054f50000')
// NS with a source link-layer option (type 1)
const NS_SLLA = hex('87000000 00000000 fe800000000000000000000000000001 0101020000000021')
// port unreachable quoting TCP [2001:db8::1]:80 → [2001:db8::2]:50000
const UNREACH = hex('01040000 00000000 60000000001406 40 20010db8000000000000000000000001 20010db8000000000000000000000002' +
  '0050c35000000001')

const snap = (m: Icmpv6Packet) => ({t: m.type, c: m.code, tg: m.isNd ? m.target : '', s: m.sourceLladdr, tl: m.targetLladdr,
  r: m.router, so: m.solicited, o: m.override, q: m.quoted()})

describe('Icmpv6Packet', () => {
  const m = new Icmpv6Packet()
  it('reads an NS without options', () => {
    expect(m.wrap(NS, 0, NS.length)).toBe(true)
    expect(snap(m)).toEqual({t: 135, c: 0, tg: 'fe80::c000:54ff:fef5:0', s: '', tl: '', r: false, so: false, o: false, q: null})
  })
  it('reads an NA with flags and the target link-layer option (tshark: R 1, S 0, O 1)', () => {
    expect(m.wrap(NA, 0, NA.length)).toBe(true)
    expect(snap(m)).toEqual({t: 136, c: 0, tg: 'fe80::c000:54ff:fef5:0', s: '', tl: 'c2:00:54:f5:00:00', r: true, so: false, o: true, q: null})
  })
  it('reads the source link-layer option of an NS', () => {
    expect(m.wrap(NS_SLLA, 0, NS_SLLA.length)).toBe(true)
    expect([m.target, m.sourceLladdr]).toEqual(['fe80::1', '02:00:00:00:00:21'])
  })
  it('rejects an option of length 0 or one running past the end', () => {
    const zero = NA.slice(); zero[25] = 0
    expect(m.wrap(zero, 0, zero.length)).toBe(false)
    const long = NA.slice(); long[25] = 2
    expect(m.wrap(long, 0, long.length)).toBe(false)
    expect(m.wrap(NA, 0, NA.length - 1)).toBe(false)
  })
  it('echo and the quoted IPv6 header of an unreachable', () => {
    const echo = hex('80000000 0009 0001 6162')
    expect(m.wrap(echo, 0, echo.length)).toBe(true)
    expect([m.isEcho, m.identifier, m.sequence, m.payloadLength]).toEqual([true, 9, 1, 2])
    expect(m.wrap(UNREACH, 0, UNREACH.length)).toBe(true)
    expect([m.isError, m.type, m.code]).toEqual([true, 1, 4])
    expect(m.quoted()).toEqual({ipSrc: '2001:db8::1', ipDst: '2001:db8::2', srcKey: addressKeyOf('2001:db8::1'), dstKey: addressKeyOf('2001:db8::2'), proto: 6, sport: 80, dport: 50000})
  })
  it('every prefix', () => {
    const w = (v: Icmpv6Packet, b: Uint8Array, o: number, n: number) => v.wrap(b, o, n)
    expect(checkPrefixes(() => new Icmpv6Packet(), w, snap, NS)).toEqual([24])
    expect(checkPrefixes(() => new Icmpv6Packet(), w, snap, NA)).toEqual([24, 32])
    expect(checkPrefixes(() => new Icmpv6Packet(), w, snap, UNREACH)[0]).toBe(8)
  })
})
