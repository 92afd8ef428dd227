// --probe: active checks, sent on the capture interface with cap's send() and judged from what the
// same live capture sees (never on by default; live only).
//   (a) ARP who-has (sender IP 0.0.0.0, like `arping -D`) and a neighbour solicitation (from the
//       interface's link-local address, like `ndisc6 -m`) for every VIP: every responder within
//       the window is counted. Their answers are ordinary VIP claims for the `arp` check, which
//       judges each responder's role; exactly one responder, the active LB, passes.
//   (b) DR path probe: for every proxy MAC (--proxy-mac, learnt from replies, or an ARP/NS
//       responder that is not an LB) and every VIP and --probe-port, a TCP SYN to VIP:port
//       addressed to that MAC, from the interface's own address and a random high port. A SYN-ACK
//       from the VIP passes (drcheck then sends an RST); nothing within the window is
//       `probe-unanswered`, an RST from the VIP is `reset`, a SYN-ACK from another address is
//       `wrong-source` — judged in the `source` check, with no client traffic needed.

import {networkInterfaces} from 'node:os'
import type {Knowledge} from '../checks/context.js'
import {finding} from '../checks/evidence.js'
import type {CheckResult, Finding} from '../checks/types.js'
import {combineVerdicts, isoTime, round1, secondsOf} from '../checks/types.js'
import type {ArpEvent, DecodedEvent, FrameRef, NdEvent, TrafficEvent} from '../decode/events.js'
import type {Report} from '../lib/analyze.js'
import {arpWhoHas, neighbourSolicitation, tcpSegment, TCP_ACK, TCP_RST, TCP_SYN} from '../wire/build.js'

export interface IfaceAddrs {
  name: string
  mac: string
  ipv4: string | null
  ipv6: string | null
  linkLocal: string | null
}

/** The interface's MAC and addresses (first global IPv4 / IPv6, first link-local) in this namespace. */
export function interfaceAddrs(name: string): IfaceAddrs {
  const list = networkInterfaces()[name] ?? []
  const out: IfaceAddrs = {name, mac: list[0]?.mac ?? '', ipv4: null, ipv6: null, linkLocal: null}
  for (const a of list) {
    if (a.family === 'IPv4' && !out.ipv4) out.ipv4 = a.address
    if (a.family === 'IPv6') {
      const addr = a.address.replace(/%.*$/, '')
      if (/^fe80:/i.test(addr)) out.linkLocal ??= addr
      else out.ipv6 ??= addr
    }
  }
  return out
}

export interface ProbeSettings {
  ports: number[]
  /** seconds to wait for answers after each probe */
  windowS: number
}

interface NeighbourProbe {
  iface: number
  vip: string
  kind: 'arp' | 'ns'
  sentS: number
  sentAt: string
  /** responder MAC → first answer */
  responders: Map<string, FrameRef>
}

interface SynProbe {
  iface: number
  mac: string
  vip: string
  port: number
  src: string
  sport: number
  isn: number
  sentS: number
  sentAt: string
  outcome: 'syn-ack' | 'reset' | 'wrong-source' | null
  answer: (FrameRef & {ipSrc: string, ethSrc: string}) | null
  /** the MAC came from an ARP/NS answer, not from traffic or --proxy-mac */
  fromProbe: boolean
}

export interface ProbeReport {
  windowS: number
  ports: number[]
  neighbour: {interface: string, vip: string, kind: 'arp' | 'ns', sentAt: string, responders: string[]}[]
  syn: {interface: string, mac: string, vip: string, port: number, source: string, sport: number, sentAt: string, outcome: string, answeredBy?: string, answerFrame?: number, rttMs?: number}[]
  notes: string[]
}

type Clock = {now(): {sec: number, nsec: number}}
type Sender = (iface: number, frame: Buffer) => void

const nowS = (c: Clock) => { const t = c.now(); return t.sec + t.nsec * 1e-9 }
const isoNow = (c: Clock) => { const t = c.now(); return isoTime({tsSec: t.sec, tsNsec: t.nsec, tsDigits: 6}) }

export class Prober {
  readonly addrs: IfaceAddrs[]
  private readonly neighbour: NeighbourProbe[] = []
  private readonly syn: SynProbe[] = []
  private readonly notes: string[] = []
  /** the last moment an answer may arrive (seconds on the capture clock) */
  endS = 0

  constructor(private readonly k: Knowledge, ifaces: string[], private readonly send: Sender, private readonly clock: Clock,
    private readonly settings: ProbeSettings, addrs?: IfaceAddrs[]) {
    this.addrs = addrs ?? ifaces.map((n) => interfaceAddrs(n))
  }

  /** Feed every decoded event of the capture. True for a segment of a probe's own connection
   *  (the answer, or the RST the local kernel sends for it): the source check must not take it for client traffic. */
  onEvent = (ev: DecodedEvent): boolean => {
    if (ev.kind === 'arp') this.onArp(ev)
    else if (ev.kind === 'nd') this.onNd(ev)
    else if (ev.kind === 'traffic' && ev.proto === 6) {
      this.onTcp(ev)
      return this.syn.some((p) => p.iface === ev.input && ((ev.ipDst === p.src && ev.dport === p.sport && ev.sport === p.port) || (ev.ipSrc === p.src && ev.sport === p.sport && ev.dport === p.port)))
    }
    return false
  }

  private inWindow(sentS: number, ev: FrameRef): boolean {
    const t = secondsOf(ev)
    return t >= sentS - 0.05 && t <= sentS + this.settings.windowS
  }

  private onArp(ev: ArpEvent): void {
    if (ev.op !== 2) return
    for (const p of this.neighbour) {
      if (p.kind !== 'arp' || p.iface !== ev.input || p.vip !== ev.senderIp) continue
      // an answer to a duplicate-address probe goes back to the asker's MAC
      if (ev.targetMac !== this.addrs[p.iface]!.mac && ev.ethDst !== this.addrs[p.iface]!.mac) continue
      if (this.inWindow(p.sentS, ev) && !p.responders.has(ev.senderMac)) p.responders.set(ev.senderMac, {...ev})
    }
  }

  private onNd(ev: NdEvent): void {
    if (ev.type !== 136) return
    for (const p of this.neighbour) {
      if (p.kind !== 'ns' || p.iface !== ev.input || p.vip !== ev.target) continue
      const me = this.addrs[p.iface]!
      if (ev.ethDst !== me.mac && ev.ipDst !== 'ff02::1' && ev.ipDst !== me.linkLocal) continue
      const mac = ev.lladdr || ev.ethSrc
      if (this.inWindow(p.sentS, ev) && !p.responders.has(mac)) p.responders.set(mac, {...ev})
    }
  }

  private onTcp(ev: TrafficEvent): void {
    for (const p of this.syn) {
      if (p.outcome || p.iface !== ev.input || ev.ipDst !== p.src || ev.dport !== p.sport || ev.sport !== p.port) continue
      if (!this.inWindow(p.sentS, ev)) continue
      const flags = ev.tcpFlags
      if (flags & TCP_RST) p.outcome = ev.ipSrc === p.vip ? 'reset' : 'wrong-source'
      else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) p.outcome = ev.ipSrc === p.vip ? 'syn-ack' : 'wrong-source'
      else continue
      p.answer = {input: ev.input, frame: ev.frame, tsSec: ev.tsSec, tsNsec: ev.tsNsec, tsDigits: ev.tsDigits, ipSrc: ev.ipSrc, ethSrc: ev.ethSrc}
      if (p.outcome === 'syn-ack') {
        // a proxy answered from the VIP: that is what makes a MAC a proxy (as a reply to client traffic would)
        if (ev.ethSrc && !this.k.isLbMac(ev.ethSrc)) this.k.replyMacs.set(ev.ethSrc, (this.k.replyMacs.get(ev.ethSrc) ?? 0) + 1)
      }
      if (flags & TCP_SYN) {
        // close the half-open connection we caused
        const me = this.addrs[p.iface]!
        this.trySend(p.iface, tcpSegment({srcMac: me.mac, dstMac: p.mac, srcIp: p.src, dstIp: ev.ipSrc, sport: p.sport, dport: p.port, seq: p.isn + 1, flags: TCP_RST}))
      }
    }
  }

  private trySend(iface: number, frame: Buffer): boolean {
    try {
      this.send(iface, frame)
      return true
    } catch (error) {
      const msg = (error as Error).message
      if (!this.notes.includes(msg)) this.notes.push(msg)
      return false
    }
  }

  /** (a) ARP who-has and NS for every VIP on every interface. */
  sendNeighbourProbes(vips: string[]): void {
    this.addrs.forEach((me, i) => {
      if (!me.mac || me.mac === '00:00:00:00:00:00') {
        this.notes.push(`${me.name}: no Ethernet address, ARP/NS probes not sent`)
        return
      }
      for (const vip of vips) {
        const kind = vip.includes(':') ? 'ns' : 'arp'
        const frame = kind === 'arp' ? arpWhoHas(me.mac, vip) : neighbourSolicitation(me.mac, me.linkLocal ?? '::', vip)
        const sentS = nowS(this.clock)
        if (!this.trySend(i, frame)) continue
        this.neighbour.push({iface: i, vip, kind, sentS, sentAt: isoNow(this.clock), responders: new Map()})
        this.endS = Math.max(this.endS, sentS + this.settings.windowS)
      }
    })
  }

  /** MACs to send the DR path probe to on one interface: known proxies, then ARP/NS responders that are not LBs. */
  private proxyTargets(iface: number): {mac: string, fromProbe: boolean}[] {
    const out = new Map<string, boolean>()
    for (const m of this.k.proxyMacs()) out.set(m, false)
    for (const p of this.neighbour) {
      if (p.iface !== iface) continue
      // only when the LBs are known: otherwise the LB itself would be taken for a proxy
      if (!this.k.hasVrrpFor(p.vip) && this.k.declaredLbMacs.size === 0) continue
      for (const mac of p.responders.keys()) if (!this.k.isLbMac(mac) && !out.has(mac)) out.set(mac, true)
    }
    return [...out].map(([mac, fromProbe]) => ({mac, fromProbe}))
  }

  /** (b) TCP SYN to every VIP:port through every proxy MAC. */
  sendSynProbes(vips: string[]): void {
    this.addrs.forEach((me, i) => {
      const targets = this.proxyTargets(i)
      if (targets.length === 0) {
        this.notes.push(`${me.name}: no proxy MAC known (no reply from a VIP seen yet, no --proxy-mac): DR path probe not sent`)
        return
      }
      for (const vip of vips) {
        const v6 = vip.includes(':')
        const src = v6 ? me.ipv6 : me.ipv4
        if (!src) {
          this.notes.push(`${me.name}: no ${v6 ? 'global IPv6' : 'IPv4'} address to send the DR path probe to ${vip} from`)
          continue
        }
        for (const {mac, fromProbe} of targets) {
          for (const port of this.settings.ports) {
            const sport = 40000 + Math.floor(Math.random() * 20000)
            const isn = Math.floor(Math.random() * 0xffffffff)
            const sentS = nowS(this.clock)
            if (!this.trySend(i, tcpSegment({srcMac: me.mac, dstMac: mac, srcIp: src, dstIp: vip, sport, dport: port, seq: isn, flags: TCP_SYN}))) continue
            this.syn.push({iface: i, mac, vip, port, src, sport, isn, sentS, sentAt: isoNow(this.clock), outcome: null, answer: null, fromProbe})
            this.endS = Math.max(this.endS, sentS + this.settings.windowS)
          }
        }
      }
    })
  }

  note(text: string): void {
    this.notes.push(text)
  }

  summary(): ProbeReport {
    return {
      windowS: this.settings.windowS,
      ports: this.settings.ports,
      neighbour: this.neighbour.map((p) => ({interface: this.addrs[p.iface]!.name, vip: p.vip, kind: p.kind, sentAt: p.sentAt, responders: [...p.responders.keys()]})),
      syn: this.syn.map((p) => ({
        interface: this.addrs[p.iface]!.name, mac: p.mac, vip: p.vip, port: p.port, source: p.src, sport: p.sport, sentAt: p.sentAt,
        outcome: p.outcome ?? 'unanswered',
        ...(p.answer ? {answeredBy: p.answer.ipSrc, answerFrame: p.answer.frame, rttMs: round1((secondsOf(p.answer) - p.sentS) * 1000)} : {}),
      })),
      notes: [...this.notes],
    }
  }

  /** Add the probe's findings to the `arp` and `source` checks of a finished report and re-judge them. */
  judge(report: Report): void {
    const k = this.k
    const arp = report.checks.find((c) => c.name === 'arp')
    const source = report.checks.find((c) => c.name === 'source')
    if (arp) {
      const add: Finding[] = []
      for (const p of this.neighbour) {
        const me = this.addrs[p.iface]!
        const what = p.kind === 'arp' ? `ARP who-has ${p.vip} (sender 0.0.0.0)` : `neighbour solicitation for ${p.vip} (from ${me.linkLocal ?? '::'})`
        const macs = [...p.responders.keys()]
        const t = p.sentS
        const masters = k.mastersAt(p.vip, p.iface, t)
        const active = k.hasVrrpFor(p.vip) ? masters : k.declaredLbMacs
        const label = (m: string) => `${m}${active.has(m) ? ' (active LB)' : k.isProxyMac(m) ? ' (proxy)' : k.isLbMac(m) ? ' (LB, not master)' : ''}`
        const first = macs.length ? p.responders.get(macs[0]!)! : null
        if (macs.length === 0) {
          add.push({...finding(k, 'probe-unanswered', 'fail', null, {ip: p.vip}, `nobody answered drcheck's ${what} on ${me.name} within ${this.settings.windowS} s: no host holds the VIP on this LAN`), interface: me.name, time: p.sentAt})
        } else if (macs.length > 1) {
          add.push(finding(k, 'probe-responders', 'fail', first, {ip: p.vip},
            `${macs.length} responders to drcheck's ${what} on ${me.name}: ${macs.map(label).join(', ')}; exactly one, the active LB, may answer`))
        } else {
          add.push(finding(k, 'probe-responders', 'info', first, {mac: macs[0], ip: p.vip}, `1 responder to drcheck's ${what} on ${me.name}: ${label(macs[0]!)}`))
        }
      }
      rejudge(arp, add, 'drcheck\'s ARP/NS probe')
    }
    if (source) {
      const add: Finding[] = []
      for (const p of this.syn) {
        const me = this.addrs[p.iface]!
        const what = `drcheck's SYN to ${p.vip.includes(':') ? `[${p.vip}]` : p.vip}:${p.port} addressed to ${p.mac} (from ${p.src}:${p.sport}, sent ${p.sentAt})`
        const a = p.answer
        if (p.outcome === 'syn-ack') {
          add.push(finding(k, 'probe-answered', 'info', a, {mac: a!.ethSrc, ip: p.vip}, `${what} was answered with a SYN-ACK from the VIP by ${a!.ethSrc} after ${round1((secondsOf(a!) - p.sentS) * 1000)} ms`))
        } else if (p.outcome === 'reset') {
          add.push(finding(k, 'reset', 'fail', a, {mac: a!.ethSrc, ip: p.vip}, `${what} was answered with an RST from the VIP: nothing listens on ${p.vip} port ${p.port} there (service bound to another address?)`))
        } else if (p.outcome === 'wrong-source') {
          add.push(finding(k, 'wrong-source', 'fail', a, {mac: a!.ethSrc, ip: a!.ipSrc}, `${what} was answered from ${a!.ipSrc} instead of the VIP`))
        } else {
          add.push({...finding(k, 'probe-unanswered', 'fail', null, {mac: p.mac, ip: p.vip},
            `${what} got no answer within ${this.settings.windowS} s: the VIP is missing on that host's lo (the kernel drops the frame)${p.fromProbe ? ' — this MAC was probed because it answered ARP/NS for the VIP' : ''}`), interface: me.name, time: p.sentAt})
        }
      }
      rejudge(source, add, 'drcheck\'s DR path probe')
    }
    report.verdict = combineVerdicts(report.checks.map((c) => c.verdict))
    report.probe = this.summary()
  }
}

/** Fold probe findings into a check: any fail fails it; answered probes turn "nothing seen" into a pass. */
function rejudge(c: CheckResult, add: Finding[], by: string): void {
  if (add.length === 0) return
  c.findings.push(...add)
  const fails = add.filter((f) => f.severity === 'fail')
  if (fails.length > 0) {
    if (c.verdict !== 'fail') c.summary = `${by} failed (${[...new Set(fails.map((f) => f.kind))].join(', ')}); ${c.summary}`
    c.verdict = 'fail'
    delete c.missing
    return
  }
  // the arp check's own judgement already counts the probe's answers as claims
  if (c.name !== 'source') return
  if (c.verdict === 'inconclusive') {
    c.verdict = 'pass'
    c.summary = `${by}: every proxy answered from the VIP (${add.length} SYN-ACK(s)); no client traffic judged (${c.summary})`
    delete c.missing
  } else {
    c.summary += `; ${by}: every proxy answered from the VIP (${add.length} SYN-ACK(s))`
  }
}
