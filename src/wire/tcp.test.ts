import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {TcpSegment} from './tcp.js'

// ndpi-imap.pcap frame 1, TCP part (tshark: 46045 → 143, flags 0x0002, header 40 bytes, len 0)
const SYN = hex('b3dd008f886aaa6500000000a00216d0f0660000020405b40402080a0a0c342d0000000001030307')

const snap = (t: TcpSegment) => ({s: t.srcPort, d: t.dstPort, f: t.flags, hl: t.headerLen, ok: t.headerComplete, len: t.payloadLength,
  seq: t.seq, ack: t.ack})

describe('TcpSegment', () => {
  const t = new TcpSegment()
  it('reads ports, flags, header length', () => {
    expect(t.wrap(SYN, 0, SYN.length)).toBe(true)
    expect(snap(t)).toEqual({s: 46045, d: 143, f: 0x02, hl: 40, ok: true, len: 0, seq: 0x886aaa65, ack: 0})
  })
  it('counts the payload after the options', () => {
    const b = new Uint8Array(SYN.length + 5); b.set(SYN)
    expect(t.wrap(b, 0, b.length)).toBe(true)
    expect(t.payloadLength).toBe(5)
  })
  it('a header whose options are cut off still gives ports and flags', () => {
    expect(t.wrap(SYN, 0, 20)).toBe(true)
    expect(snap(t)).toMatchObject({s: 46045, d: 143, f: 2, ok: false, len: 0})
  })
  it('rejects data offset < 5', () => {
    const b = SYN.slice(); b[12] = 0x40
    expect(t.wrap(b, 0, b.length)).toBe(false)
  })
  it('every prefix', () => {
    expect(checkPrefixes(() => new TcpSegment(), (v, b, o, n) => v.wrap(b, o, n), snap, SYN)[0]).toBe(20)
  })
})
