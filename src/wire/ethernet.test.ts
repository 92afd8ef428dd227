import {describe, expect, it} from 'vitest'
import {checkPrefixes, hex} from '../../test/helpers/hex.js'
import {EthernetFrame, MAX_VLAN_TAGS} from './ethernet.js'

// pcapplusplus-vrrp-v2.pcap frame 1 (Ethernet header + start of IPv4)
const UNTAGGED = hex('01005e000012 00005e000101 0800 4500002800000000ff701a8d')
// tcpdump-802.1ad-qinq-arp.pcap frame 1: S-tag 0x88a8 VID 200, C-tag 0x8100 VID 2001, ARP
const QINQ = hex('ffffffffffff 0020d25afb3f 88a8 00c8 8100 07d1 0806 0001080006040001')
// suricata-verify-arp-vlan-stacked.pcap frame 3: three 0x8100 tags 1, 10, 100
const THREE = hex('ffffffffffff 000102030405 8100 0001 8100 000a 8100 0064 0806 0001080006040001')

const snap = (e: EthernetFrame) => ({dst: e.dst, src: e.src, type: e.etherType, off: e.payloadOffset, vlans: e.vlan.toArray()})

describe('EthernetFrame', () => {
  const e = new EthernetFrame()
  it('reads an untagged Ethernet II header', () => {
    expect(e.wrap(UNTAGGED, 0, UNTAGGED.length)).toBe(true)
    expect(snap(e)).toEqual({dst: '01:00:5e:00:00:12', src: '00:00:5e:00:01:01', type: 0x0800, off: 14, vlans: []})
  })
  it('walks 802.1ad + 802.1Q tags outermost first (tshark: ieee8021ad.id 200, vlan.id 2001)', () => {
    expect(e.wrap(QINQ, 0, QINQ.length)).toBe(true)
    expect(snap(e)).toEqual({dst: 'ff:ff:ff:ff:ff:ff', src: '00:20:d2:5a:fb:3f', type: 0x0806, off: 22, vlans: [200, 2001]})
  })
  it('walks three stacked 802.1Q tags (tshark: vlan.id 1,10,100)', () => {
    expect(e.wrap(THREE, 0, THREE.length)).toBe(true)
    expect(snap(e)).toMatchObject({type: 0x0806, off: 26, vlans: [1, 10, 100]})
  })
  it('accepts the old 0x9100 QinQ TPID and masks PCP/DEI out of the VID', () => {
    const f = hex('ffffffffffff 000102030405 9100 e00c 8100 3fff 86dd')
    expect(e.wrap(f, 0, f.length)).toBe(true)
    expect(snap(e)).toMatchObject({type: 0x86dd, vlans: [12, 0xfff]})
  })
  it(`accepts ${MAX_VLAN_TAGS} tags, rejects one more`, () => {
    const mk = (n: number) => hex('ffffffffffff 000102030405' + '8100 0005'.repeat(n) + '0800')
    expect(e.wrap(mk(MAX_VLAN_TAGS), 0, mk(MAX_VLAN_TAGS).length)).toBe(true)
    expect(e.vlanCount).toBe(MAX_VLAN_TAGS)
    expect(e.wrap(mk(MAX_VLAN_TAGS + 1), 0, mk(MAX_VLAN_TAGS + 1).length)).toBe(false)
  })
  it('reads at an offset and respects end', () => {
    const f = new Uint8Array(3 + UNTAGGED.length)
    f.set(UNTAGGED, 3)
    expect(e.wrap(f, 3, f.length)).toBe(true)
    expect(e.src).toBe('00:00:5e:00:01:01')
    expect(e.wrap(f, 3, 3 + 13)).toBe(false)
    expect(e.wrap(f, 3, f.length + 1)).toBe(false) // end beyond the buffer
  })
  it('every prefix: rejected or parsed without reading past end', () => {
    const mk = () => new EthernetFrame()
    const w = (v: EthernetFrame, b: Uint8Array, o: number, n: number) => v.wrap(b, o, n)
    expect(checkPrefixes(mk, w, snap, UNTAGGED)[0]).toBe(14)
    expect(checkPrefixes(mk, w, snap, QINQ)[0]).toBe(22)
    expect(checkPrefixes(mk, w, snap, THREE)[0]).toBe(26)
  })
})
