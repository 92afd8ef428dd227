// The tshark-verified facts of /work/shared/captures/public/MANIFEST.md, as the checks will use them.

import {describe, expect, it} from 'vitest'
import {dissectFixture} from './run.js'

const count = <T>(xs: T[], p: (x: T) => boolean) => xs.filter(p).length

describe('VRRP facts', () => {
  it('tcpdump-vrrp-v2-v3-mixed: 68 v2, 33 v3/IPv4, 64 v3/IPv6; VRID 42 masters 10.0.0.91…97 at prio 191…197', () => {
    const v = [...dissectFixture('tcpdump-vrrp-v2-v3-mixed.pcap').byFrame('vrrp').values()].flat()
    expect(count(v, (e) => e.version === 2)).toBe(68)
    expect(count(v, (e) => e.version === 3 && e.family === 'ipv4')).toBe(33)
    expect(count(v, (e) => e.version === 3 && e.family === 'ipv6')).toBe(64)
    const firsts: number[] = []
    const seen = new Map<string, number>()
    for (const e of v.filter((x) => x.vrid === 42)) {
      if (!seen.has(e.ipSrc)) { seen.set(e.ipSrc, e.priority); firsts.push(e.frame) }
    }
    expect([...seen]).toEqual([91, 92, 93, 94, 95, 96, 97].map((h, i) => [`10.0.0.${h}`, 191 + i]))
    expect(firsts).toEqual([1, 14, 29, 49, 74, 94, 119])
  })
  it('ndpi-vrrp3-ipv6-vlan: VLAN 36, fe80::2 prio 100 once, then fe80::1 prio 105 nine times', () => {
    const v = [...dissectFixture('ndpi-vrrp3-ipv6-vlan.pcapng').byFrame('vrrp').values()].flat()
    expect(v.every((e) => e.vlans.length === 1 && e.vlans[0] === 36 && e.vrid === 36 && e.addrs[0] === 'fe80::3636')).toBe(true)
    expect(v.map((e) => `${e.ipSrc}/${e.priority}`)).toEqual(['fe80::2/100', ...Array(9).fill('fe80::1/105')])
  })
  it('packetlife-vrrp-failover: .10 ×11 (prio 200), .30 ×20, .20 once at frame 13', () => {
    const v = [...dissectFixture('packetlife-vrrp-failover.cap').byFrame('vrrp').values()].flat()
    expect(count(v, (e) => e.ipSrc === '192.168.0.10' && e.priority === 200)).toBe(11)
    expect(count(v, (e) => e.ipSrc === '192.168.0.30')).toBe(20)
    expect(v.filter((e) => e.ipSrc === '192.168.0.20').map((e) => e.frame)).toEqual([13])
    expect(v.every((e) => e.ethSrc === '00:00:5e:00:01:01')).toBe(true)
  })
  it('pcapplusplus-vrrp-v3-ipv6: IPv4-style virtual MAC as the source', () => {
    const [e] = dissectFixture('pcapplusplus-vrrp-v3-ipv6.pcap').byFrame('vrrp').get(1)!
    expect(e).toMatchObject({ethSrc: '00:00:5e:00:01:01', ipSrc: 'fe80::1', ipDst: 'ff02::12', addrs: ['fe80::254', '2001:db8::1', '2001:db8::2']})
  })
})

describe('keepalived failover with ping (anvard)', () => {
  const run = dissectFixture('anvard-keepalived-failover-with-ping.pcap')
  const vip = '192.168.199.10'
  it('adverts: .2 ×19, .3 ×21, auth type 1', () => {
    const v = [...run.byFrame('vrrp').values()].flat()
    expect(count(v, (e) => e.ipSrc === '192.168.199.2')).toBe(19)
    expect(count(v, (e) => e.ipSrc === '192.168.199.3')).toBe(21)
    expect(v.every((e) => e.vrid === 51 && e.authType === 1 && e.addrs.join() === vip)).toBe(true)
  })
  it('gratuitous ARPs for the VIP: 10 from …c7:85:3e, 5 from …19:5d:24', () => {
    const g = [...run.byFrame('arp').values()].flat().filter((e) => e.senderIp === vip && e.targetIp === vip)
    expect(count(g, (e) => e.senderMac === '08:00:27:c7:85:3e')).toBe(10)
    expect(count(g, (e) => e.senderMac === '08:00:27:19:5d:24')).toBe(5)
  })
  it('echo requests follow the VIP MAC: 15× …19:5d:24, 19× …c7:85:3e, 2× …19:5d:24; 31 replies from the VIP', () => {
    const t = [...run.byFrame('traffic').values()].flat()
    const req = t.filter((e) => e.proto === 1 && e.icmpType === 8)
    expect(req.length).toBe(36)
    const runs: Array<[string, number]> = []
    for (const e of req) {
      const last = runs[runs.length - 1]
      if (last && last[0] === e.ethDst) last[1]++
      else runs.push([e.ethDst, 1])
    }
    expect(runs).toEqual([['08:00:27:19:5d:24', 15], ['08:00:27:c7:85:3e', 19], ['08:00:27:19:5d:24', 2]])
    expect(count(t, (e) => e.proto === 1 && e.icmpType === 0 && e.ipSrc === vip)).toBe(31)
  })
})

describe('ND facts', () => {
  it('packetlife-ipv6-neighbor-spoofing: NA for fe80::1 from …:0a once (S=1) and …:0c three times unsolicited', () => {
    const na = [...dissectFixture('packetlife-ipv6-neighbor-spoofing.cap').byFrame('nd').values()].flat()
      .filter((e) => e.type === 136 && e.target === 'fe80::1')
    expect(na.map((e) => [e.ethSrc, e.solicited])).toEqual([
      ['00:00:00:00:00:0a', true], ['00:00:00:00:00:0c', false], ['00:00:00:00:00:0c', false], ['00:00:00:00:00:0c', false]])
  })
  it('zeek-icmp6-nd-options: 5 DAD NS from ::, 2 unsolicited NA to ff02::1 from c2:00:54:f5:00:00', () => {
    const nd = [...dissectFixture('zeek-icmp6-nd-options.pcap').byFrame('nd').values()].flat()
    expect(nd.filter((e) => e.type === 135).map((e) => e.ipSrc)).toEqual(Array(5).fill('::'))
    const na = nd.filter((e) => e.type === 136)
    expect(na.map((e) => [e.ethSrc, e.ipDst, e.solicited, e.override, e.router])).toEqual(
      Array(2).fill(['c2:00:54:f5:00:00', 'ff02::1', false, true, true]))
  })
})

describe('link-layer facts', () => {
  it('VLAN stacks: QinQ [200, 2001]; 1, 2 and 3 stacked 802.1Q tags', () => {
    expect([...dissectFixture('tcpdump-802.1ad-qinq-arp.pcap').byFrame('arp').values()].flat().map((e) => e.vlans))
      .toEqual([[200, 2001], [200, 2001]])
    expect([...dissectFixture('suricata-verify-arp-vlan-stacked.pcap').byFrame('arp').values()].flat().map((e) => e.vlans))
      .toEqual([[6], [1, 10], [1, 10, 100]])
  })
  it('SLL: 12 broadcast ARP requests, 2 gratuitous for 192.168.22.81 from 00:50:56:8b:3f:0d', () => {
    const a = [...dissectFixture('zeek-linuxsll-arp.pcap').byFrame('arp').values()].flat()
    expect(a.length).toBe(12)
    expect(a.every((e) => e.pktType === 1 && e.op === 1 && e.ethDst === '')).toBe(true)
    expect(a.filter((e) => e.senderIp === e.targetIp).map((e) => [e.senderIp, e.senderMac]))
      .toEqual(Array(2).fill(['192.168.22.81', '00:50:56:8b:3f:0d']))
    expect(count(a, (e) => e.senderIp === '10.1.10.100')).toBe(9)
  })
  it('SLL2: an outgoing ARP who-has 192.0.2.2; RARP is not ARP; 2 ICMP + 2 ICMPv6 echo', () => {
    const run = dissectFixture('zeek-linux-dlt-sll2.pcap')
    expect([...run.byFrame('arp').values()].flat().map((e) => [e.frame, e.pktType, e.op, e.senderIp, e.targetIp]))
      .toEqual([[5, 4, 1, '192.0.2.1', '192.0.2.2']])
    expect([...run.byFrame('traffic').values()].flat().map((e) => `${e.proto}/${e.icmpType}`)).toEqual(['1/8', '1/0', '58/128', '58/129'])
  })
  it('raw IP: 50 IPv4 and 50 IPv6 packets', () => {
    const t = [...dissectFixture('pcapplusplus-raw-ip.pcap').byFrame('traffic').values()].flat()
    expect(count(t, (e) => e.family === 'ipv4')).toBe(50)
    expect(count(t, (e) => e.family === 'ipv6')).toBe(50)
    expect(t.every((e) => e.ethSrc === '' && e.vlans.length === 0 && e.pktType === -1)).toBe(true)
  })
  it('ndpi-imap: one SYN to tcp/143', () => {
    const t = [...dissectFixture('ndpi-imap.pcap').byFrame('traffic').values()].flat()
    expect(t.filter((e) => e.tcpFlags === 0x02).map((e) => [e.ipSrc, e.ipDst, e.dport])).toEqual([['10.40.4.2', '10.40.3.2', 143]])
  })
})
