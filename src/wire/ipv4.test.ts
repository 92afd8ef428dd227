import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {Ipv4Packet} from './ipv4.js'

// anvard-keepalived-failover-with-ping.pcap frame 5 from the IP header: echo request
// 192.168.199.101 → 192.168.199.10, TTL 64, DF, total length 84
const ECHO = hex('45000054404940004001ea9ec0a8c765c0a8c70a 08000ae510850001c5668a5700000000c0030e0000000000' +
  '101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637')

const snap = (p: Ipv4Packet) => ({src: p.src, dst: p.dst, proto: p.protocol, ttl: p.ttl, hl: p.headerLen, end: p.end,
  tr: p.truncated, frag: p.isFragment, first: p.hasTransportHeader, fo: p.fragOffset, mf: p.moreFragments, df: p.dontFragment})

function withBytes(b: Uint8Array, patch: Record<number, number>): Uint8Array {
  const c = b.slice()
  for (const [i, v] of Object.entries(patch)) c[Number(i)] = v
  return c
}

describe('Ipv4Packet', () => {
  const p = new Ipv4Packet()
  it('reads the header fields', () => {
    expect(p.wrap(ECHO, 0, ECHO.length)).toBe(true)
    expect(snap(p)).toEqual({src: '192.168.199.101', dst: '192.168.199.10', proto: 1, ttl: 64, hl: 20, end: 84,
      tr: false, frag: false, first: true, fo: 0, mf: false, df: true})
    expect([p.totalLength, p.id, p.payloadOffset, p.payloadLength]).toEqual([84, 0x4049, 20, 64])
  })
  it('ends the packet at the total length, not at the Ethernet padding', () => {
    const padded = new Uint8Array(ECHO.length + 6)
    padded.set(ECHO)
    expect(p.wrap(padded, 0, padded.length)).toBe(true)
    expect([p.end, p.truncated]).toEqual([84, false])
  })
  it('marks a packet cut by the snaplen as truncated and keeps what is there', () => {
    expect(p.wrap(ECHO, 0, 40)).toBe(true)
    expect([p.end, p.truncated, p.payloadLength]).toEqual([40, true, 20])
  })
  it('skips options via IHL', () => {
    const opt = hex('46000018000000004001000001020304050607080 1010100 aabbccdd'.replace(/ /g, ''))
    expect(p.wrap(opt, 0, opt.length)).toBe(true)
    expect([p.headerLen, p.payloadOffset, p.payloadLength, p.src, p.dst]).toEqual([24, 24, 0, '1.2.3.4', '5.6.7.8'])
  })
  it('rejects version ≠ 4, IHL < 5, header beyond the capture, total length < header', () => {
    expect(p.wrap(withBytes(ECHO, {0: 0x65}), 0, ECHO.length)).toBe(false)
    expect(p.wrap(withBytes(ECHO, {0: 0x44}), 0, ECHO.length)).toBe(false)
    expect(p.wrap(withBytes(ECHO, {0: 0x4f}), 0, 40)).toBe(false)
    expect(p.wrap(withBytes(ECHO, {2: 0, 3: 19}), 0, ECHO.length)).toBe(false)
  })
  it('total length 0 (TSO) runs to the captured end', () => {
    expect(p.wrap(withBytes(ECHO, {2: 0, 3: 0}), 0, ECHO.length)).toBe(true)
    expect([p.end, p.truncated]).toEqual([84, false])
  })
  it('fragments: first fragment carries the transport header, later ones do not', () => {
    expect(p.wrap(withBytes(ECHO, {6: 0x20, 7: 0}), 0, ECHO.length)).toBe(true) // MF, offset 0
    expect([p.isFragment, p.hasTransportHeader, p.moreFragments]).toEqual([true, true, true])
    expect(p.wrap(withBytes(ECHO, {6: 0x00, 7: 0xb9}), 0, ECHO.length)).toBe(true) // offset 185*8, last
    expect([p.isFragment, p.hasTransportHeader, p.fragOffset]).toEqual([true, false, 1480])
  })
  it('every prefix', () => {
    const acc = checkPrefixes(() => new Ipv4Packet(), (v, b, o, n) => v.wrap(b, o, n), snap, ECHO)
    expect(acc[0]).toBe(20)
    expect(acc.length).toBe(ECHO.length - 19)
  })
})
