import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {IcmpPacket} from './icmp.js'
import {addressKeyOf} from './addr-key.js'

// anvard-keepalived-failover-with-ping.pcap frame 5, ICMP part (tshark: type 8, code 0, ident 4229, seq 1)
const ECHO = hex('08000ae510850001c5668a5700000000c0030e0000000000101112131415161718191a1b1c1d1e1f' +
  '202122232425262728292a2b2c2d2e2f3031323334353637')
// port unreachable (type 3 code 3) quoting a UDP datagram 198.51.100.10:53 → 192.0.2.1:40000
const UNREACH = hex('0303 0000 00000000' + '45000040000000004011 0000 c633640a c0000201' + '00359c40002c0000')

const snap = (m: IcmpPacket) => ({t: m.type, c: m.code, id: m.identifier, seq: m.sequence, len: m.payloadLength, q: m.quoted()})

describe('IcmpPacket', () => {
  const m = new IcmpPacket()
  it('reads an echo request with its identifier', () => {
    expect(m.wrap(ECHO, 0, ECHO.length)).toBe(true)
    expect(snap(m)).toEqual({t: 8, c: 0, id: 4229, seq: 1, len: 56, q: null})
    expect([m.isEcho, m.isError]).toEqual([true, false])
  })
  it('decodes the header an unreachable quotes (IP header + first 8 bytes)', () => {
    expect(m.wrap(UNREACH, 0, UNREACH.length)).toBe(true)
    expect([m.isEcho, m.isError]).toEqual([false, true])
    expect(m.quoted()).toEqual({ipSrc: '198.51.100.10', ipDst: '192.0.2.1', srcKey: addressKeyOf('198.51.100.10'), dstKey: addressKeyOf('192.0.2.1'), proto: 17, sport: 53, dport: 40000})
  })
  it('quotes an echo request with its identifier in both ports; time exceeded is an error too', () => {
    const b = hex('0b00 0000 00000000' + '4500005400004000010 10000 c0a8c765 c0a8c70a'.replace(/ /g, '') + '0800000010850001')
    expect(m.wrap(b, 0, b.length)).toBe(true)
    expect(m.quoted()).toEqual({ipSrc: '192.168.199.101', ipDst: '192.168.199.10', srcKey: addressKeyOf('192.168.199.101'), dstKey: addressKeyOf('192.168.199.10'), proto: 1, sport: 4229, dport: 4229})
  })
  it('quoted header cut short: no ports, or null without a whole IP header', () => {
    expect(m.wrap(UNREACH, 0, UNREACH.length - 6)).toBe(true)
    expect(m.quoted()).toEqual({ipSrc: '198.51.100.10', ipDst: '192.0.2.1', srcKey: addressKeyOf('198.51.100.10'), dstKey: addressKeyOf('192.0.2.1'), proto: 17, sport: 0, dport: 0})
    expect(m.wrap(UNREACH, 0, 8 + 19)).toBe(true)
    expect(m.quoted()).toBeNull()
  })
  it('every prefix (fewer than 8 bytes rejected)', () => {
    expect(checkPrefixes(() => new IcmpPacket(), (v, b, o, n) => v.wrap(b, o, n), snap, ECHO)[0]).toBe(8)
    expect(checkPrefixes(() => new IcmpPacket(), (v, b, o, n) => v.wrap(b, o, n), snap, UNREACH)[0]).toBe(8)
  })
})
