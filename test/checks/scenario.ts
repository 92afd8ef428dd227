// Builds event sequences for check tests: a small scripted LAN where the test names the times,
// MACs and addresses, so every expected value comes from the scenario, not from drcheck.

import {Analysis, type Report} from '../../src/lib/analyze.js'
import {DEFAULT_OPTIONS, type CheckOptions} from '../../src/checks/context.js'
import type {ArpEvent, NdEvent, TrafficEvent, VrrpEvent} from '../../src/decode/events.js'
import type {CheckName} from '../../src/checks/types.js'
import {addressKeyOf} from '../../src/wire/addr-key.js'

export const LB1 = '02:00:00:00:00:11', LB2 = '02:00:00:00:00:12', RS1 = '02:00:00:00:00:21', RS2 = '02:00:00:00:00:22', GW = '02:00:00:00:00:01'
export const VIP = '198.51.100.10', VIP6 = '2001:db8:1::10', CLIENT = '203.0.113.100'
const T0 = 1_800_000_000

export class Scenario {
  frame = 0
  private readonly events: (ArpEvent | NdEvent | TrafficEvent | VrrpEvent)[] = []
  constructor(readonly opts: Partial<CheckOptions> = {}) {}

  private meta(t: number) {
    const sec = Math.floor(t)
    return {input: 0, frame: ++this.frame, tsSec: T0 + sec, tsNsec: Math.round((t - sec) * 1e9), tsDigits: 9, vlans: [], pktType: -1}
  }

  vrrp(t: number, mac: string, ip: string, prio: number, o: Partial<VrrpEvent> = {}): this {
    this.events.push({...this.meta(t), kind: 'vrrp', ethSrc: mac, ethDst: '01:00:5e:00:00:12', family: 'ipv4', ipSrc: ip, ipDst: '224.0.0.18', ttl: 255,
      version: 2, vrid: 51, priority: prio, intervalCs: 100, authType: 0, authData: '', addrs: [VIP], checksumOk: true, ...o})
    return this
  }

  /** adverts every `every` s from `from` to `to` (inclusive) */
  adverts(from: number, to: number, mac: string, ip: string, prio: number, every = 1, o: Partial<VrrpEvent> = {}): this {
    for (let t = from; t <= to + 1e-9; t += every) this.vrrp(t, mac, ip, prio, o)
    return this
  }

  arp(t: number, op: number, senderMac: string, senderIp: string, targetIp: string, ethSrc = senderMac): this {
    this.events.push({...this.meta(t), kind: 'arp', ethSrc, ethDst: op === 1 ? 'ff:ff:ff:ff:ff:ff' : GW, op, senderMac, senderIp, targetMac: '00:00:00:00:00:00', targetIp})
    return this
  }

  na(t: number, mac: string, target: string, solicited: boolean): this {
    this.events.push({...this.meta(t), kind: 'nd', ethSrc: mac, ethDst: '33:33:00:00:00:01', type: 136, ipSrc: 'fe80::1', ipDst: 'ff02::1', target, lladdr: mac,
      router: false, solicited, override: true})
    return this
  }

  pkt(t: number, ethSrc: string, ethDst: string, ipSrc: string, ipDst: string, proto: number, sport: number, dport: number, o: Partial<TrafficEvent> = {}): this {
    // the address keys as the Dissector computes them from the bytes (quoted headers too)
    const quoted = o.quoted ? {...o.quoted, srcKey: addressKeyOf(o.quoted.ipSrc), dstKey: addressKeyOf(o.quoted.ipDst)} : null
    this.events.push({...this.meta(t), kind: 'traffic', ethSrc, ethDst, family: ipSrc.includes(':') ? 'ipv6' : 'ipv4', ipSrc, ipDst,
      srcKey: addressKeyOf(ipSrc), dstKey: addressKeyOf(ipDst), proto, sport, dport,
      tcpFlags: 0, icmpType: -1, icmpCode: -1, payloadLen: proto === 17 ? 20 : 0, ...o, quoted})
    return this
  }

  /** one UDP exchange as a LAN capture sees it: gw → LB → proxy → gw */
  udpExchange(t: number, cport: number, proxy: string, replySrc = VIP, lb = LB1, replyDst = GW): this {
    this.pkt(t, GW, lb, CLIENT, VIP, 17, cport, 53)
    this.pkt(t + 0.0001, lb, proxy, CLIENT, VIP, 17, cport, 53)
    this.pkt(t + 0.001, proxy, replyDst, replySrc, CLIENT, 17, 53, cport)
    return this
  }

  run(checks: CheckName[] = ['source', 'arp', 'failover'], name = 'scenario.pcap'): Report {
    const vips = this.opts.vips ?? [VIP, VIP6]
    const a = new Analysis({...DEFAULT_OPTIONS, vipsLearnt: false, lbMacs: [], proxyMacs: [], ...this.opts, vips}, checks)
    a.addInput(name, 'file')
    const sorted = [...this.events].sort((x, y) => x.tsSec - y.tsSec || x.tsNsec - y.tsNsec)
    // the analysis is fed through its event entry point, as the Dissector would
    const feed = (a as unknown as {onEvent(ev: unknown): void}).onEvent.bind(a)
    for (const ev of sorted) {
      a.k.sawFrame(ev)
      feed(ev)
    }
    return a.finish()
  }
}

export function check(r: Report, name: CheckName) {
  const c = r.checks.find((x) => x.name === name)
  if (!c) throw new Error(`no ${name} in report`)
  return c
}
