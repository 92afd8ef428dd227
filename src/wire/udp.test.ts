import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {UdpDatagram} from './udp.js'

// 40000 → 53, length 12 (4 bytes of payload), then 2 bytes that are not part of it
const DG = hex('9c400035000c0000 01020304 eeee')

const snap = (u: UdpDatagram) => ({s: u.srcPort, d: u.dstPort, l: u.length, p: u.payloadLength})

describe('UdpDatagram', () => {
  const u = new UdpDatagram()
  it('reads ports and ends at the length field', () => {
    expect(u.wrap(DG, 0, DG.length)).toBe(true)
    expect(snap(u)).toEqual({s: 40000, d: 53, l: 12, p: 4})
  })
  it('length beyond the capture: payload up to the captured end', () => {
    expect(u.wrap(DG, 0, 10)).toBe(true)
    expect(u.payloadLength).toBe(2)
  })
  it('rejects a length field below 8', () => {
    const b = DG.slice(); b[5] = 7
    expect(u.wrap(b, 0, b.length)).toBe(false)
  })
  it('every prefix', () => {
    expect(checkPrefixes(() => new UdpDatagram(), (v, b, o, n) => v.wrap(b, o, n), snap, DG)[0]).toBe(8)
  })
})
