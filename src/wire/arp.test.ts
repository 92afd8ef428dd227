import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {ArpPacket} from './arp.js'

// anvard-keepalived-failover-with-ping.pcap frame 44, after the Ethernet header: a gratuitous ARP
// request by the new master (tshark: opcode 1, 08:00:27:c7:85:3e 192.168.199.10 → ff:ff:ff:ff:ff:ff
// 192.168.199.10, arp.isgratuitous 1), followed by Ethernet padding
const GARP = hex('0001 0800 06 04 0001 080027c7853e c0a8c70a ffffffffffff c0a8c70a 000000000000000000000000000000000000')
// anvard frame 23: reply 08:00:27:50:e8:c7 192.168.199.101 → 08:00:27:19:5d:24 192.168.199.2
const REPLY = hex('0001 0800 06 04 0002 08002750e8c7 c0a8c765 080027195d24 c0a8c702')

const snap = (a: ArpPacket) => ({op: a.op, sm: a.senderMac, si: a.senderIp, tm: a.targetMac, ti: a.targetIp, g: a.isGratuitous})

describe('ArpPacket', () => {
  const a = new ArpPacket()
  it('reads a gratuitous request and ignores trailing padding', () => {
    expect(a.wrap(GARP, 0, GARP.length)).toBe(true)
    expect(snap(a)).toEqual({op: 1, sm: '08:00:27:c7:85:3e', si: '192.168.199.10', tm: 'ff:ff:ff:ff:ff:ff', ti: '192.168.199.10', g: true})
  })
  it('reads a reply', () => {
    expect(a.wrap(REPLY, 0, REPLY.length)).toBe(true)
    expect(snap(a)).toEqual({op: 2, sm: '08:00:27:50:e8:c7', si: '192.168.199.101', tm: '08:00:27:19:5d:24', ti: '192.168.199.2', g: false})
  })
  it('rejects what is not Ethernet/IPv4 ARP (zeek-arp-leak: hlen/plen 255; other htype/ptype)', () => {
    const bad = (i: number, v: number) => { const b = REPLY.slice(); b[i] = v; return b }
    expect(a.wrap(bad(4, 255), 0, 28)).toBe(false) // hlen 255
    expect(a.wrap(bad(5, 255), 0, 28)).toBe(false) // plen 255
    expect(a.wrap(bad(1, 6), 0, 28)).toBe(false) // htype 6 (IEEE 802)
    expect(a.wrap(bad(2, 0x86), 0, 28)).toBe(false) // ptype 0x86dd
  })
  it('every prefix: only the full 28 bytes are accepted', () => {
    const acc = checkPrefixes(() => new ArpPacket(), (v, b, o, n) => v.wrap(b, o, n), snap, REPLY)
    expect(acc).toEqual([28])
  })
})
