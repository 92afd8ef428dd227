// Check `source`: replies leave the proxies with the VIP as source, straight to the gateway.
// Tracks request flows to the VIPs while events stream (bounded: idle flows expire), records
// evidence, and judges at the end when the LB and proxy MACs are known.

import type {FrameRef, TrafficEvent} from '../decode/events.js'
import type {Knowledge} from './context.js'
import {ref} from './context.js'
import {finding, FindingList, where} from './evidence.js'
import type {CheckResult} from './types.js'
import {secondsOf} from './types.js'
import {FlowTable, type TableEntry} from './flow-table.js'

const TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58
const RST = 0x04, SYN = 0x02, ACK = 0x10

interface Leg {
  src: string
  dst: string
  pktType: number
  first: FrameRef
}

interface Flow extends TableEntry {
  input: number
  family: 'ipv4' | 'ipv6'
  client: string
  cport: number
  proto: number
  service: number
  vip: string
  first: FrameRef
  legs: Leg[]
  /** the leg the last request came by (most requests of a flow take the same one) */
  legSrc: string
  legDst: string
  /** the MACs the last reply came from and went to */
  replySrc: string
  replyDst: string
  /** the oldest request still waiting for a reply (numbers, not an object: the hot path) */
  pendingS: number
  pendingFrame: number
  pendingSec: number
  pendingNsec: number
  lastSeenS: number
  replied: boolean
  /** a non-RST reply was seen (a SYN-ACK, data, an echo reply) */
  answered: boolean
  /** an unanswered record shares this flow's legs and first frame (so it is never reused) */
  kept: boolean
}

/** expired flows kept for reuse, at most */
const FREE_FLOWS = 1 << 16

interface Unanswered {
  flow: Flow
  at: FrameRef
}

const NONE = -1



interface ReplyDst {
  mac: string
  first: FrameRef
  src: string
  vip: string
  count: number
}

/** Port label for counts: "tcp/25", "udp/53", "icmp". */
function serviceLabel(proto: number, port: number): string {
  if (proto === TCP) return `tcp/${port}`
  if (proto === UDP) return `udp/${port}`
  return 'icmp-echo'
}

/** a client's side of a flow as people write it: `203.0.113.5:41000`, `[2001:db8::5]:41000`, and
 *  for ICMP echo the identifier, which is no port: `203.0.113.5 (echo id 8175)` */
function endpoint(addr: string, port: number, proto: number): string {
  if (proto === 1 || proto === 58) return `${addr} (echo id ${port})`
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`
}

export class SourceCheck {
  /** request flows to a VIP, by client address, ports, protocol and input */
  private readonly flows = new FlowTable<Flow>()
  /** expired flows, reused for new connections */
  private readonly free: Flow[] = []
  private lastSweepS = 0
  private readonly statsCache: {requests: number, repliesSeen: number, toLb: number, toProxy: number, forwarded: number}[] = []
  private readonly findings = new FindingList()
  private readonly unanswered: Unanswered[] = []
  private unansweredCount = 0
  private readonly replyDsts = new Map<string, ReplyDst>()
  private lastReplyDst: ReplyDst | null = null
  /** per input, per reply source MAC: the destination MACs of the replies seen there ('' = no MAC in the link type) */
  private readonly replyDstsAt = new Map<number, Map<string, Set<string>>>()
  private readonly perInput = new Map<number, {requests: number, repliesSeen: number, toLb: number, toProxy: number, forwarded: number}>()
  private readonly pairs = {total: 0, perProxy: {} as Record<string, number>, perService: {} as Record<string, number>, perFamily: {} as Record<string, number>}
  private requests = 0
  private events = 0
  private nowS = 0
  /** the time of the frame being handled (seconds) */
  private t = 0.5
  private readonly expireS: number

  /** Destination MACs of VIP-sourced replies that are not LBs: the proxies' gateway(s). */
  gatewayMacs(): string[] {
    return [...this.replyDsts.keys()].filter((m) => !this.k.isLbMac(m))
  }

  constructor(private readonly k: Knowledge) {
    this.expireS = Math.max(k.options.flowIdleS || k.options.replyTimeoutS + 5, k.options.replyTimeoutS)
  }

  private stats(input: number) {
    const cached = this.statsCache[input]
    if (cached) return cached
    let s = this.perInput.get(input)
    if (!s) this.perInput.set(input, (s = {requests: 0, repliesSeen: 0, toLb: 0, toProxy: 0, forwarded: 0}))
    this.statsCache[input] = s
    return s
  }

  onTraffic(ev: TrafficEvent): void {
    // the frame's time is kept in a field, not passed on: a double argument to a call that is not
    // inlined is boxed, an allocation per packet
    const t = (this.t = secondsOf(ev))
    if (t > this.nowS) this.nowS = t
    this.events++
    if (t - this.lastSweepS >= this.expireS / 2) { this.lastSweepS = t; this.sweep(false) }
    const vips = this.k.vips
    if (ev.quoted && vips.has(ev.quoted.ipDst)) return this.onIcmpError(ev)
    if (vips.has(ev.ipDst)) {
      if (ev.proto === TCP || ev.proto === UDP) return this.onRequest(ev, ev.sport, ev.dport)
      if ((ev.proto === ICMP && ev.icmpType === 8) || (ev.proto === ICMP6 && ev.icmpType === 128)) return this.onRequest(ev, ev.sport, 0)
      return
    }
    let cport: number, service: number
    if (ev.proto === TCP || ev.proto === UDP) { cport = ev.dport; service = ev.sport }
    else if ((ev.proto === ICMP && ev.icmpType === 0) || (ev.proto === ICMP6 && ev.icmpType === 129)) { cport = ev.dport; service = 0 }
    else return this.maybeNat(ev)
    const flow = this.find(ev.ipDst, ev.dstKey, ev.input, ev.proto, cport, service)
    if (flow) this.onReply(flow, ev)
    else this.maybeNat(ev)
  }

  private onRequest(ev: TrafficEvent, cport: number, service: number): void {
    const t = this.t
    const ports = (cport << 16) | service, meta = ev.input * 256 + ev.proto
    let flow = this.flows.find(ev.srcKey, ports, meta, ev.ipSrc)
    const st = this.stats(ev.input)
    st.requests++
    this.requests++
    if (!flow) {
      flow = this.newFlow(ev, ports, meta, cport, service, t)
      this.flows.add(flow)
    }
    flow.lastSeenS = t
    if (ev.ethSrc !== flow.legSrc || ev.ethDst !== flow.legDst) this.sawLeg(flow, ev)
    // a segment that expects an answer: SYN, data, any UDP datagram or echo request
    const expects = ev.proto !== TCP || (ev.tcpFlags & SYN && !(ev.tcpFlags & ACK)) || ev.payloadLen > 0
    if (expects && !(ev.proto === TCP && ev.tcpFlags & RST)) {
      const late = flow.pendingS !== NONE && t - flow.pendingS > this.k.options.replyTimeoutS
      if (late) this.addUnanswered(flow)
      if (flow.pendingS === NONE || late) {
        flow.pendingS = t; flow.pendingFrame = ev.frame; flow.pendingSec = ev.tsSec; flow.pendingNsec = ev.tsNsec
      }
    }
  }

  /**
   * A flow for a new connection. Expired flows are reused (with their first-frame reference and leg
   * array) unless an unanswered record still points at them: every connection would otherwise
   * leave ~400 bytes of garbage in the old generation, and peak memory would depend on how lazily
   * the collector runs.
   */
  private newFlow(ev: TrafficEvent, ports: number, meta: number, cport: number, service: number, t: number): Flow {
    const f = this.free.pop()
    if (f === undefined || f.kept) {
      // the first request is also the first leg's first frame (one FrameRef, a one-element array)
      const first = ref(ev)
      return {clientKey: ev.srcKey, ports, meta, input: ev.input, family: ev.family, client: ev.ipSrc, cport, proto: ev.proto, service, vip: ev.ipDst, first,
        legs: [{src: ev.ethSrc, dst: ev.ethDst, pktType: ev.pktType, first}], legSrc: ev.ethSrc, legDst: ev.ethDst, replySrc: '', replyDst: '',
        pendingS: NONE, pendingFrame: 0, pendingSec: 0, pendingNsec: 0, lastSeenS: t, replied: false, answered: false, kept: false}
    }
    const first = f.first
    first.input = ev.input; first.frame = ev.frame; first.tsSec = ev.tsSec; first.tsNsec = ev.tsNsec; first.tsDigits = ev.tsDigits
    const leg = f.legs[0]!
    f.legs.length = 1
    leg.src = ev.ethSrc; leg.dst = ev.ethDst; leg.pktType = ev.pktType; leg.first = first
    f.clientKey = ev.srcKey; f.ports = ports; f.meta = meta; f.input = ev.input; f.family = ev.family; f.client = ev.ipSrc
    f.cport = cport; f.proto = ev.proto; f.service = service; f.vip = ev.ipDst
    f.legSrc = ev.ethSrc; f.legDst = ev.ethDst; f.replySrc = ''; f.replyDst = ''
    f.pendingS = NONE; f.pendingFrame = 0; f.pendingSec = 0; f.pendingNsec = 0; f.lastSeenS = t; f.replied = false; f.answered = false
    return f
  }

  /** A request by a leg (source and destination MAC) other than the last one: record it if new. */
  private sawLeg(flow: Flow, ev: TrafficEvent): void {
    flow.legSrc = ev.ethSrc
    flow.legDst = ev.ethDst
    for (const l of flow.legs) if (l.dst === ev.ethDst && l.src === ev.ethSrc) return
    if (flow.legs.length < 4) flow.legs.push({src: ev.ethSrc, dst: ev.ethDst, pktType: ev.pktType, first: ref(ev)})
  }

  private onReply(flow: Flow, ev: TrafficEvent): void {
    const t = this.t
    const st = this.stats(ev.input)
    st.repliesSeen++
    flow.lastSeenS = t
    const k = this.k
    const isRst = ev.proto === TCP && (ev.tcpFlags & RST) !== 0
    // the first reply of a flow teaches who the proxy is (once per flow, not per packet)
    if (!flow.replied && ev.ethSrc && !k.isLbMac(ev.ethSrc)) k.replyMacs.set(ev.ethSrc, (k.replyMacs.get(ev.ethSrc) ?? 0) + 1)
    if (ev.ipSrc !== flow.vip) {
      const svc = flow.proto === TCP ? `TCP port ${flow.service}` : flow.proto === UDP ? `UDP port ${flow.service}` : 'ICMP echo'
      this.findings.add(finding(k, 'wrong-source', 'fail', ev, {mac: ev.ethSrc, ip: ev.ipSrc, relatedFrame: flow.first.frame},
        `reply to ${endpoint(flow.client, flow.cport, flow.proto)} (${svc} of VIP ${flow.vip}) left ${ev.ethSrc || 'a host'} with source ${ev.ipSrc} instead of the VIP, at ${where(k, ev)}; the request was ${where(k, flow.first)}`))
    }
    if (isRst && !flow.answered) {
      this.findings.add(finding(k, 'reset', 'fail', ev, {mac: ev.ethSrc, ip: ev.ipSrc, relatedFrame: flow.first.frame},
        `${ev.ethSrc || 'a host'} answered ${endpoint(flow.client, flow.cport, flow.proto)} → ${flow.vip}:${flow.service} with a TCP RST at ${where(k, ev)}: nothing listens on the VIP there`))
    }
    if (!isRst) flow.answered = true
    // a flow's replies come from one proxy to one gateway: record the MAC pair when it changes
    if (ev.ethSrc !== flow.replySrc || ev.ethDst !== flow.replyDst || !flow.replied) {
      flow.replySrc = ev.ethSrc; flow.replyDst = ev.ethDst
      let bySrc = this.replyDstsAt.get(ev.input)
      if (!bySrc) this.replyDstsAt.set(ev.input, (bySrc = new Map()))
      let dsts = bySrc.get(ev.ethSrc)
      if (!dsts) bySrc.set(ev.ethSrc, (dsts = new Set()))
      if (dsts.size < 64) dsts.add(ev.ethDst)
    }
    if (ev.ethDst) {
      let d = this.lastReplyDst
      if (d === null || d.mac !== ev.ethDst) {
        d = this.replyDsts.get(ev.ethDst) ?? null
        if (d === null) this.replyDsts.set(ev.ethDst, (d = {mac: ev.ethDst, first: ref(ev), src: ev.ethSrc, vip: ev.ipSrc, count: 0}))
        this.lastReplyDst = d
      }
      d.count++
    }
    // the spec: no reply within the timeout. A reply that comes later still counts as a reply, but
    // the request it answers waited too long (the same rule as a request repeated after the timeout)
    if (flow.pendingS !== NONE && t - flow.pendingS > k.options.replyTimeoutS) this.addUnanswered(flow)
    flow.pendingS = NONE
    if (!flow.replied) {
      flow.replied = true
      if (ev.ipSrc === flow.vip && !isRst) {
        const p = this.pairs
        p.total++
        const proxy = ev.ethSrc || '(no MAC)'
        p.perProxy[proxy] = (p.perProxy[proxy] ?? 0) + 1
        const s = serviceLabel(flow.proto, flow.service)
        p.perService[s] = (p.perService[s] ?? 0) + 1
        p.perFamily[flow.family] = (p.perFamily[flow.family] ?? 0) + 1
      }
    }
  }

  private onIcmpError(ev: TrafficEvent): void {
    const q = ev.quoted!
    const unreachable = (ev.proto === ICMP && ev.icmpType === 3) || (ev.proto === ICMP6 && ev.icmpType === 1)
    if (!unreachable) return
    const flow = this.find(q.ipSrc, q.srcKey, ev.input, q.proto, q.sport, q.dport)
    if (flow) { flow.pendingS = NONE; flow.replied = true; this.stats(ev.input).repliesSeen++ }
    this.findings.add(finding(this.k, 'unreachable', 'fail', ev, {mac: ev.ethSrc, ip: ev.ipSrc},
      `${ev.ipSrc} (${ev.ethSrc || 'no MAC'}) sent ICMP${ev.family === 'ipv6' ? 'v6' : ''} unreachable (code ${ev.icmpCode}) for ${q.ipSrc}:${q.sport} → ${q.ipDst}:${q.dport} at ${where(this.k, ev)}`))
  }

  /** A client's packet leaving an LB with a destination other than the VIP: the LB does NAT. */
  private maybeNat(ev: TrafficEvent): void {
    if (!ev.ethSrc || !this.k.isLbMac(ev.ethSrc)) return
    const flow = this.find(ev.ipSrc, ev.srcKey, ev.input, ev.proto, ev.sport, ev.dport)
    if (!flow) return
    this.findings.add(finding(this.k, 'nat', 'fail', ev, {mac: ev.ethSrc, ip: ev.ipDst, relatedFrame: flow.first.frame},
      `LB ${ev.ethSrc} sent ${endpoint(flow.client, flow.cport, flow.proto)}'s request for VIP ${flow.vip} on to ${ev.ipDst} at ${where(this.k, ev)}: the destination IP was rewritten (NAT), Direct Routing keeps it`))
  }

  private addUnanswered(flow: Flow): void {
    this.unansweredCount++
    const at: FrameRef = {input: flow.input, frame: flow.pendingFrame, tsSec: flow.pendingSec, tsNsec: flow.pendingNsec, tsDigits: flow.first.tsDigits}
    if (this.unanswered.length < 1000) {
      flow.kept = true // the copy shares its legs and first frame: never reuse them
      this.unanswered.push({flow: {...flow, legs: [...flow.legs]}, at})
    }
  }

  private find(client: string, clientKey: number, input: number, proto: number, cport: number, service: number): Flow | undefined {
    return this.flows.find(clientKey, (cport << 16) | service, input * 256 + proto, client)
  }

  /** Expire idle flows (memory stays bounded); `all` at the end of the capture. */
  private sweep(all: boolean): void {
    const timeout = this.k.options.replyTimeoutS
    if (all) {
      for (const f of this.flows) if (f.pendingS !== NONE && this.endOf(f.input) - f.pendingS >= timeout) this.addUnanswered(f)
      return
    }
    this.flows.retain((f) => {
      if (this.nowS - f.lastSeenS < this.expireS) return true
      if (f.pendingS !== NONE && this.endOf(f.input) - f.pendingS >= timeout) this.addUnanswered(f)
      this.countLegs(f.input, f.legs)
      if (this.free.length < FREE_FLOWS) this.free.push(f)
      return false
    })
  }

  private endOf(input: number): number {
    const last = this.k.inputs[input]?.last
    return last ? Math.max(secondsOf(last), this.nowS) : this.nowS
  }

  /** Did this request reach a proxy? (a leg addressed to a MAC that is not an LB, or arrived from an LB) */
  private reachedProxy(legs: Leg[]): {who: string, leg: Leg} | null {
    const k = this.k
    for (const l of legs) {
      if (l.dst && !k.isLbMac(l.dst) && l.dst !== 'ff:ff:ff:ff:ff:ff') return {who: l.dst, leg: l}
      if (!l.dst && l.pktType !== 4 && (k.isLbMac(l.src) || !l.src)) return {who: l.src ? '(this host)' : '(no MAC)', leg: l}
    }
    return null
  }

  /**
   * An LB's view: requests arrive here for an LB and no reply seen here goes to anyone but an LB
   * (replies that reach the real gateway are invisible from an LB's port; those that come to the LB
   * are via-lb). Unanswered requests are not judged there.
   */
  private isLbView(input: number): boolean {
    const s = this.perInput.get(input)
    if (!s || s.toLb === 0) return false
    // a reply a proxy sent straight to a non-LB (the gateway) is visible here: not an LB's view
    for (const [src, dsts] of this.replyDstsAt.get(input) ?? []) {
      for (const dst of dsts) if (dst === '' || (!this.k.isLbMac(dst) && !this.k.isLbMac(src))) return false
    }
    return true
  }

  finish(): CheckResult {
    const k = this.k
    this.sweep(true)
    if (k.vips.size === 0) {
      return {name: 'source', verdict: 'inconclusive', summary: 'no VIP known', findings: this.findings.list(),
        missing: 'no VIP was given and no VRRP advert named one: give --vip'}
    }
    // classify the legs of what reached this point, now that the LB MACs are known
    for (const f of this.flows) this.countLegs(f.input, f.legs)
    for (const [dst, d] of this.replyDsts) {
      if (k.isLbMac(dst)) {
        this.findings.add(finding(k, 'via-lb', 'fail', d.first, {mac: d.src, ip: d.vip},
          `${d.count} repl${d.count === 1 ? 'y' : 'ies'} from ${d.vip} went from ${d.src || 'a proxy'} to the LB's MAC ${dst} (first at ${where(k, d.first)}): the proxy's gateway is the LB, replies must go straight to the router`))
      }
    }
    const lbViewInputs: number[] = []
    for (const input of this.perInput.keys()) if (this.isLbView(input)) lbViewInputs.push(input)
    let unansweredShown = 0
    for (const u of this.unanswered) {
      const r = this.reachedProxy(u.flow.legs)
      if (!r) continue
      if (lbViewInputs.includes(u.flow.input)) continue
      unansweredShown++
      const reached = r.who
      // the evidence is the copy that reached the proxy when it is this request's (not an older one's)
      const lt = secondsOf(r.leg.first), ut = secondsOf(u.at)
      const at = lt >= ut && lt - ut < 1 ? r.leg.first : u.at
      const svc = u.flow.proto === TCP ? `TCP ${u.flow.service}` : u.flow.proto === UDP ? `UDP ${u.flow.service}` : 'ICMP echo'
      this.findings.add(finding(k, 'unanswered', 'fail', at, {mac: reached.startsWith('(') ? undefined : reached, ip: u.flow.vip},
        `request from ${endpoint(u.flow.client, u.flow.cport, u.flow.proto)} to ${u.flow.vip} (${svc}) reached ${reached} at ${where(k, at)} and got no reply within ${k.options.replyTimeoutS} s (is the VIP on the proxy's lo?)`))
    }
    const findings = this.findings.list()
    const perInput = Object.fromEntries([...this.perInput].map(([i, s]) => [k.inputs[i]?.name ?? String(i), s]))
    const counts = {requests: this.requests, pairs: this.pairs.total, perProxy: this.pairs.perProxy, perService: this.pairs.perService,
      perFamily: this.pairs.perFamily, unanswered: unansweredShown, perInput}
    if (this.findings.hasFail) {
      const kinds = [...new Set(findings.filter((f) => f.severity === 'fail').map((f) => f.kind))]
      return {name: 'source', verdict: 'fail', summary: `replies do not leave the proxies as Direct Routing needs (${kinds.join(', ')})`, findings, counts}
    }
    if (this.pairs.total > 0) {
      const fam = Object.entries(this.pairs.perFamily).map(([f, n]) => `${n} ${f}`).join(', ')
      return {name: 'source', verdict: 'pass', summary: `${this.pairs.total} request/reply pair(s) checked (${fam}): every reply came from the VIP`, findings, counts}
    }
    const forwarded = lbViewInputs.reduce((n, i) => n + (this.perInput.get(i)?.forwarded ?? 0), 0)
    if (forwarded > 0) {
      for (const i of lbViewInputs) {
        findings.push({kind: 'lb-view', severity: 'info', file: k.inputs[i]?.name,
          message: `${k.inputs[i]?.name}: no reply passes this capture point (an LB's view under Direct Routing); if it is not an LB, the proxies are not answering`})
      }
      return {name: 'source', verdict: 'pass', summary: `${forwarded} request(s) forwarded unchanged to a proxy and no reply came back through the LB`, findings, counts}
    }
    if (this.requests === 0) {
      return {name: 'source', verdict: 'inconclusive', summary: 'no request to a VIP in the capture', findings, counts,
        missing: 'no TCP, UDP or ICMP echo to a VIP was seen: capture while clients use the service (or check --vip)'}
    }
    return {name: 'source', verdict: 'inconclusive', summary: `${this.requests} request packet(s) to the VIP but no reply and no forwarding seen`, findings, counts,
      missing: 'capture on a proxy or on the LAN while clients use the service, and let it run longer than the reply timeout'}
  }

  private countLegs(input: number, legs: Leg[]): void {
    const s = this.stats(input)
    const k = this.k
    for (const l of legs) {
      if (l.dst && k.isLbMac(l.dst)) s.toLb++
      else if (!l.dst && l.pktType === 0 && !k.isLbMac(l.src)) s.toLb++
      else s.toProxy++
      if ((l.src && k.isLbMac(l.src) && l.dst && !k.isLbMac(l.dst)) || (!l.dst && l.pktType === 4)) s.forwarded++
    }
  }
}
