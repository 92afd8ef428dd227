import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {Ipv4Packet} from './ipv4.js'
import {Ipv6Packet} from './ipv6.js'
import {VrrpPacket} from './vrrp.js'

// IP packets (from the IP header) of real adverts; expected values are tshark's (see
// fixtures/public/tshark/*.vrrp.tsv).
// pcapplusplus-vrrp-v2.pcap: v2, VRID 1, prio 100, 3 addresses, auth 0, interval 1 s, checksum good
const V2 = hex('4500002800000000ff701a8dc0a8001ee0000012 21016403000138fac0a80001c0a80002c0a80003')
// tcpdump-vrrp-v2-v3-mixed.pcap frame 1: v2, VRID 42, prio 191, auth 1 "abcdefgh", interval 10 s
const V2AUTH = hex('4500003012340000ff70bebc0a00005be0000012 212abf03010af11f0a042a010a042a020a042a036162636465666768')
// same file, frame 3: v3 over IPv4, VRID 44, prio 191, interval 1000 cs, 10.4.44.100 and .200
const V3V4 = hex('4500002412340000ff70bec80a00005be0000012 312cbf0203e8b3c60a042c640a042cc8')
// same file, frame 6: v3 over IPv6 fe80::d6ca:6dff:fe66:cf60 → ff02::12, VRID 45
const V3V6 = hex('60000000002870fffe80000000000000d6ca6dfffe66cf60ff020000000000000000000000000012' +
  '312dbf0203e8cfa0fe8000000000000002005efffe00022d200100000000000000000000abcd000a')

function v4(pkt: Uint8Array, v: VrrpPacket): Ipv4Packet {
  const ip = new Ipv4Packet()
  expect(ip.wrap(pkt, 0, pkt.length)).toBe(true)
  expect(v.wrap(pkt, ip.payloadOffset, ip.end, false)).toBe(true)
  return ip
}

const snap = (v: VrrpPacket) => ({ver: v.version, type: v.type, vrid: v.vrid, prio: v.priority, n: v.addrCount, auth: v.authType,
  cs: v.intervalCs, addrs: v.addresses(), ad: v.authData, ok: v.checksumOk(v.buf, v.addrLen === 4 ? 12 : 8, v.addrLen === 4 ? 16 : 24)})

describe('VrrpPacket', () => {
  const v = new VrrpPacket()
  it('v2 without authentication', () => {
    const ip = v4(V2, v)
    expect(snap(v)).toEqual({ver: 2, type: 1, vrid: 1, prio: 100, n: 3, auth: 0, cs: 100,
      addrs: ['192.168.0.1', '192.168.0.2', '192.168.0.3'], ad: '', ok: true})
    expect(v.checksumOk(V2, ip.srcOffset, ip.dstOffset)).toBe(true)
  })
  it('v2 with a simple-text password', () => {
    v4(V2AUTH, v)
    expect(snap(v)).toEqual({ver: 2, type: 1, vrid: 42, prio: 191, n: 3, auth: 1, cs: 1000,
      addrs: ['10.4.42.1', '10.4.42.2', '10.4.42.3'], ad: 'abcdefgh', ok: true})
  })
  it('v3 over IPv4: centisecond interval, checksum with the pseudo-header', () => {
    const ip = v4(V3V4, v)
    expect(snap(v)).toEqual({ver: 3, type: 1, vrid: 44, prio: 191, n: 2, auth: 0, cs: 1000,
      addrs: ['10.4.44.100', '10.4.44.200'], ad: '', ok: true})
    // a different IP source (seen only through the pseudo-header) breaks the checksum
    const other = V3V4.slice(); other[15] ^= 1 // change the IP source: only the pseudo-header sees it
    expect(v.checksumOk(other, ip.srcOffset, ip.dstOffset)).toBe(false)
  })
  it('v3 over IPv6', () => {
    const ip = new Ipv6Packet()
    expect(ip.wrap(V3V6, 0, V3V6.length)).toBe(true)
    expect(v.wrap(V3V6, ip.payloadOffset, ip.end, true)).toBe(true)
    expect(snap(v)).toEqual({ver: 3, type: 1, vrid: 45, prio: 191, n: 2, auth: 0, cs: 1000,
      addrs: ['fe80::200:5eff:fe00:22d', '2001::abcd:a'], ad: '', ok: true})
  })
  it('a changed byte makes checksumOk false but the advert is still read', () => {
    const b = V2.slice(); b[22] = 99 // priority
    v4(b, v)
    expect([v.priority, v.checksumOk(b, 12, 16)]).toEqual([99, false])
  })
  it('trailing bytes are tolerated (zeros keep a v2 checksum valid; v3 covers the length)', () => {
    const mk = (p: Uint8Array) => { const b = new Uint8Array(p.length + 4); b.set(p); b[3] = b[3]! + 4; return b }
    v4(mk(V2), v)
    expect([v.addresses().length, v.checksumOk(v.buf, 12, 16)]).toEqual([3, true])
    v4(mk(V3V4), v)
    expect([v.addresses(), v.checksumOk(v.buf, 12, 16)]).toEqual([['10.4.44.100', '10.4.44.200'], false])
  })
  it('rejects an address count larger than the packet, and versions other than 2/3', () => {
    const many = V2.slice(); many[23] = 4
    expect(v.wrap(many, 20, many.length, false)).toBe(false)
    const v4x = V2.slice(); v4x[20] = 0x41
    expect(v.wrap(v4x, 20, v4x.length, false)).toBe(false)
    expect(v.wrap(V3V6, 40, V3V6.length, false)).toBe(true) // read as IPv4 addresses the size fits…
    expect(v.wrap(V3V4, 20, V3V4.length, true)).toBe(false) // …but 2 IPv6 addresses do not fit here
  })
  it('a v2 advert without its auth data is read without a password', () => {
    const b = V2AUTH.slice(0, V2AUTH.length - 8)
    expect(v.wrap(b, 20, b.length, false)).toBe(true)
    expect([v.hasAuthData, v.authData, v.addresses().length]).toEqual([false, '', 3])
  })
  it('every prefix: accepted only once the address list is complete', () => {
    const w4 = (x: VrrpPacket, b: Uint8Array, o: number, n: number) => x.wrap(b, o, n, false)
    expect(checkPrefixes(() => new VrrpPacket(), w4, snap, V2, 20)[0]).toBe(20 + 8 + 12)
    expect(checkPrefixes(() => new VrrpPacket(), w4, snap, V2AUTH, 20)[0]).toBe(20 + 8 + 12)
    const w6 = (x: VrrpPacket, b: Uint8Array, o: number, n: number) => x.wrap(b, o, n, true)
    expect(checkPrefixes(() => new VrrpPacket(), w6, snap, V3V6, 40)[0]).toBe(40 + 8 + 32)
  })
})
