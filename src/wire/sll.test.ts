import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {NullHeader} from './null.js'
import {rawIpVersion} from './raw.js'
import {SllHeader} from './sll.js'
import {Sll2Header} from './sll2.js'

// zeek-linuxsll-arp.pcap frame 1 (tshark: sll.pkttype 1, halen 6, src cc:2d:e0:26:19:99, etype 0x0806)
const SLL = hex('0001 0001 0006 cc2de0261999 0000 0806 0001080006040001')
// zeek-linux-dlt-sll2.pcap frame 5 (tshark: etype 0x0806, ifindex 26, pkttype 4, src 8e:36:06:44:ac:af)
const SLL2 = hex('0806 0000 0000001a 0001 04 06 8e360644acaf 0000 0001080006040001')

const s1 = (s: SllHeader) => ({t: s.pktType, h: s.arphrdType, l: s.addrLen, m: s.srcMac, p: s.protocol, o: s.payloadOffset})
const s2 = (s: Sll2Header) => ({t: s.pktType, h: s.arphrdType, l: s.addrLen, m: s.srcMac, p: s.protocol, i: s.ifIndex, o: s.payloadOffset})

describe('SllHeader (cooked v1)', () => {
  it('reads the 16-byte header', () => {
    const s = new SllHeader()
    expect(s.wrap(SLL, 0, SLL.length)).toBe(true)
    expect(s1(s)).toEqual({t: 1, h: 1, l: 6, m: 'cc:2d:e0:26:19:99', p: 0x0806, o: 16})
  })
  it('has no MAC when the address is not 6 bytes', () => {
    const s = new SllHeader()
    const b = hex('0000 0200 0000 0000000000000000 0800')
    expect(s.wrap(b, 0, b.length)).toBe(true)
    expect(s.srcMac).toBe('')
  })
  it('every prefix', () => {
    expect(checkPrefixes(() => new SllHeader(), (v, b, o, n) => v.wrap(b, o, n), s1, SLL)[0]).toBe(16)
  })
})

describe('Sll2Header (cooked v2)', () => {
  it('reads the 20-byte header', () => {
    const s = new Sll2Header()
    expect(s.wrap(SLL2, 0, SLL2.length)).toBe(true)
    expect(s2(s)).toEqual({t: 4, h: 1, l: 6, m: '8e:36:06:44:ac:af', p: 0x0806, i: 26, o: 20})
  })
  it('every prefix', () => {
    expect(checkPrefixes(() => new Sll2Header(), (v, b, o, n) => v.wrap(b, o, n), s2, SLL2)[0]).toBe(20)
  })
})

describe('NullHeader (BSD loopback) and raw IP', () => {
  const n = new NullHeader()
  const cases: Array<[string, number]> = [
    ['02000000', 4], ['00000002', 4], // AF_INET in either host byte order
    ['18000000', 6], ['1c000000', 6], ['1e000000', 6], // AF_INET6: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30
    ['00000018', 6], ['0000001c', 6], ['0000001e', 6],
    ['07000000', 0], ['00000000', 0], ['02000002', 0],
  ]
  for (const [h, v] of cases) {
    it(`AF ${h} → IPv${v || ' none'}`, () => {
      const b = hex(h + '45')
      expect(n.wrap(b, 0, b.length)).toBe(true)
      expect(n.ipVersion).toBe(v)
      expect(n.payloadOffset).toBe(4)
    })
  }
  it('rejects fewer than 4 bytes', () => {
    expect(n.wrap(hex('020000'), 0, 3)).toBe(false)
  })
  it('raw IP: the version nibble decides', () => {
    expect(rawIpVersion(hex('45'), 0, 1)).toBe(4)
    expect(rawIpVersion(hex('60'), 0, 1)).toBe(6)
    expect(rawIpVersion(hex('50'), 0, 1)).toBe(0)
    expect(rawIpVersion(hex('45'), 0, 0)).toBe(0)
    expect(rawIpVersion(new Uint8Array(0), 0, 1)).toBe(0)
  })
})
