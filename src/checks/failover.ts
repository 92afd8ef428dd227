// Check `failover`: a master change completes, and how long each stage took.
// The VRRP timeline itself is kept in Knowledge (tenures per VRID); this check watches for new
// masters while events stream (to time the announcement and the first reply after it) and judges
// takeover times, split brain, collisions and flapping at the end.

import type {FrameRef, TrafficEvent, VrrpEvent} from '../decode/events.js'
import type {Claim} from './arp.js'
import type {Knowledge, Tenure} from './context.js'
import {downIntervalS, ref, skewS, tenureKey, vmacFor} from './context.js'
import {finding, FindingList, where} from './evidence.js'
import type {CheckResult, Finding, Transition} from './types.js'
import {isoTime, round1, secondsOf} from './types.js'

interface Pending {
  from: Tenure
  to: Tenure
  /** the old master's last advert with priority > 0 before the new one started */
  fromLast: FrameRef
  /** the old master's priority-0 advert, when it resigned before the new one started */
  fromResigned: FrameRef | null
  announce: Map<string, FrameRef | null>
  resume: FrameRef | null
}

const RECENT = 64

export class FailoverCheck {
  private readonly pending: Pending[] = []
  /** the latest transition per cluster: the only ones still waiting for an announcement or a reply */
  private open: Pending[] = []
  private readonly findings = new FindingList()
  private readonly signatures = new Map<string, Map<string, {sig: string, at: FrameRef}>>()
  private readonly collided = new Set<string>()
  private readonly recentClaims: Claim[] = []
  private readonly inputsWithVipReplies = new Set<number>()
  /** per input: a VIP-sourced reply was seen (the Set above, as an array for the per-frame test) */
  private readonly vipReplyAt: boolean[] = []
  /** master changes in `open` still waiting for their first VIP reply */
  private unresumed = 0
  private badChecksums = 0
  private adverts = 0

  constructor(private readonly k: Knowledge) {}

  onVrrp(ev: VrrpEvent, tenure: Tenure, started: boolean): void {
    const k = this.k
    this.adverts++
    if (!ev.checksumOk) {
      this.badChecksums++
      this.findings.add(finding(k, 'bad-checksum', 'warn', ev, {mac: ev.ethSrc, ip: ev.ipSrc},
        `VRRP advert from ${ev.ipSrc} for VRID ${ev.vrid} has a bad checksum at ${where(k, ev)} (kept; a router would drop it)`))
    }
    this.checkCollision(ev)
    if (!started) return
    const list = k.tenures.get(tenureKey(ev)) ?? []
    // the previous master: the other source whose last positive advert is the latest
    // (looked for among the latest 64 tenures: older ones ended long before)
    let from: Tenure | null = null
    for (let i = list.length - 1; i >= 0 && i >= list.length - 64; i--) {
      const t = list[i]!
      if (t === tenure || t.srcIp === tenure.srcIp || t.first === t.resigned) continue
      if (!from || secondsOf(t.last) > secondsOf(from.last)) from = t
    }
    if (!from) return
    const resigned = from.resigned && secondsOf(from.resigned) <= secondsOf(tenure.first) ? from.resigned : null
    const p: Pending = {from, to: tenure, fromLast: from.last, fromResigned: resigned, announce: new Map(), resume: null}
    for (const a of tenure.addrs) if (k.vips.has(a)) p.announce.set(a, null)
    const since = secondsOf(tenure.first) - tenure.intervalCs / 100
    for (const c of this.recentClaims) if (secondsOf(c.at) >= since) this.matchAnnounce(p, c)
    this.pending.push(p)
    // the previous transition of this cluster is over: its announce/resume windows close
    const cluster = tenureKey(p.to)
    this.open = this.open.filter((q) => tenureKey(q.to) !== cluster)
    this.open.push(p)
    this.unresumed = this.open.filter((q) => !q.resume).length
  }

  private checkCollision(ev: VrrpEvent): void {
    if (ev.priority === 0) return
    const key = `${ev.input}/${ev.vrid}/${ev.family}`
    const sig = `${[...ev.addrs].sort().join(',')}|${ev.intervalCs}|${ev.authType}|${ev.authData}|v${ev.version}`
    let bySrc = this.signatures.get(key)
    if (!bySrc) this.signatures.set(key, (bySrc = new Map()))
    if (!bySrc.has(ev.ipSrc)) bySrc.set(ev.ipSrc, {sig, at: ref(ev)})
    for (const [src, other] of bySrc) {
      if (src === ev.ipSrc || other.sig === sig) continue
      const pair = `${key}|${[src, ev.ipSrc].sort().join('|')}`
      if (this.collided.has(pair)) continue
      this.collided.add(pair)
      // a: this advert's settings (ev.ipSrc, named first), b: the other router's
      const [a, b] = [sig.split('|'), other.sig.split('|')]
      const what = a[0] !== b[0] ? `addresses ${a[0] || '(none)'} vs ${b[0] || '(none)'}` : a[1] !== b[1] ? `interval ${Number(a[1]) / 100} s vs ${Number(b[1]) / 100} s`
        : a[4] !== b[4] ? `VRRP ${a[4]} vs ${b[4]}` : 'authentication'
      this.findings.add(finding(this.k, 'vrid-collision', 'fail', ev, {mac: ev.ethSrc, ip: ev.ipSrc, relatedFrame: other.at.frame},
        `${ev.ipSrc} and ${src} both advertise VRID ${ev.vrid} (${ev.family}) with different settings (${what}) at ${where(this.k, ev)}: another cluster uses this VRID`))
    }
  }

  onClaim(c: Claim): void {
    this.recentClaims.push(c)
    if (this.recentClaims.length > RECENT) this.recentClaims.shift()
    for (const p of this.open) if (p.to.input === c.at.input) this.matchAnnounce(p, c)
  }

  private matchAnnounce(p: Pending, c: Claim): void {
    if (!c.unsolicited || !p.announce.has(c.vip) || p.announce.get(c.vip)) return
    if (c.mac !== p.to.srcMac && c.mac !== vmacFor(p.to.vrid, p.to.family) && c.ethSrc !== p.to.srcMac) return
    p.announce.set(c.vip, c.at)
  }

  onTraffic(ev: TrafficEvent): void {
    // most frames: this input's VIP replies are known and no master change waits for its first one
    if (this.unresumed === 0 && this.vipReplyAt[ev.input] === true) return
    if (!this.k.vips.has(ev.ipSrc)) return
    if (this.vipReplyAt[ev.input] !== true) {
      this.vipReplyAt[ev.input] = true
      this.inputsWithVipReplies.add(ev.input)
    }
    if (this.unresumed === 0) return
    const t = secondsOf(ev)
    for (const p of this.open) {
      if (p.resume || p.to.input !== ev.input || !p.to.addrs.includes(ev.ipSrc)) continue
      if (t >= secondsOf(p.to.first)) { p.resume = ref(ev); this.unresumed-- }
    }
  }

  finish(staleOwners: Finding[]): CheckResult {
    const k = this.k
    const opts = k.options
    const transitions: Transition[] = []
    let unknownAnnounce = 0
    for (const f of staleOwners) this.findings.add(f)
    for (const p of this.pending) {
      const {from, to} = p
      // keepalived.conf's advert_int when it configures one for this VRID (a different value on the
      // wire is a config-mismatch finding), else the interval the new master advertises
      const confInt = k.options.expectedVrids?.get(`${to.vrid}/${to.family}`)?.advertIntS ?? []
      const intervalS = confInt.length === 1 ? confInt[0] : to.intervalCs / 100
      const startS = secondsOf(to.first)
      // split brain: the old master kept advertising well after the new one started
      const overlap = Math.min(secondsOf(from.last), secondsOf(to.last)) - startS
      // a contender that advertised briefly and gave way while the old master went on: no change of master
      if (overlap <= intervalS && secondsOf(from.last) > secondsOf(to.last) && !from.resigned) {
        this.findings.add(finding(k, 'contender', 'info', to.first, {mac: to.srcMac, ip: to.srcIp},
          `VRID ${to.vrid} (${to.family}): ${to.srcIp} sent ${to.count} advert(s) at ${where(k, to.first)} and gave way to ${from.srcIp}, which stayed master`))
        continue
      }
      if (overlap > intervalS) {
        this.findings.add(finding(k, 'split-brain', 'fail', to.first, {mac: to.srcMac, ip: to.srcIp, relatedFrame: from.last.frame},
          `VRID ${to.vrid} (${to.family}): ${to.srcIp} (${to.srcMac}) started advertising at ${where(k, to.first)} while ${from.srcIp} (${from.srcMac}) kept advertising for ${round1(overlap)} s more (until ${where(k, from.last)}): both are master`))
        continue
      }
      const graceful = p.fromResigned !== null
      const preempted = !graceful && secondsOf(from.last) > startS
      const fromAt = p.fromResigned ?? p.fromLast
      const takeoverS = startS - secondsOf(fromAt)
      const skew = skewS(to.version, to.priority, intervalS)
      const boundS = graceful ? skew : 3 * intervalS + skew
      const limitS = boundS * (1 + opts.tolerancePct / 100) + opts.toleranceMs / 1000
      const announce: Record<string, number | null> = {}
      let announceMax: number | null = 0
      const endS = secondsOf(k.inputs[to.input]?.last ?? to.last)
      for (const [vip, at] of p.announce) {
        if (at) {
          const ms = round1((secondsOf(at) - startS) * 1000)
          announce[vip] = ms
          if (announceMax !== null) announceMax = Math.max(announceMax, ms)
          continue
        }
        announce[vip] = null
        announceMax = null
        if (to.srcMac === vmacFor(to.vrid, to.family)) {
          // use_vmac: the VIP's MAC does not change, neighbours' entries stay right; adverts from the
          // virtual MAC already teach the switches the new port
          this.findings.add(finding(k, 'not-announced', 'warn', to.first, {mac: to.srcMac, ip: vip},
            `new master ${to.srcIp} of VRID ${to.vrid} sent no gratuitous ARP / unsolicited NA for ${vip}; it advertises from the virtual MAC ${to.srcMac}, so neighbours' entries stay valid`))
        } else if (endS - startS < 2 * intervalS + 1) {
          unknownAnnounce++
          this.findings.add(finding(k, 'not-announced', 'warn', to.first, {mac: to.srcMac, ip: vip},
            `the capture ended ${round1(endS - startS)} s after ${to.srcIp} became master of VRID ${to.vrid}, before it announced ${vip}`))
        } else {
          this.findings.add(finding(k, 'not-announced', 'fail', to.first, {mac: to.srcMac, ip: vip},
            `new master ${to.srcIp} (${to.srcMac}) of VRID ${to.vrid} never sent a gratuitous ARP / unsolicited NA for ${vip} after taking over at ${where(k, to.first)}: neighbours keep the old MAC`))
        }
      }
      const resumeMs = p.resume ? round1((secondsOf(p.resume) - startS) * 1000) : null
      const tr: Transition = {
        vrid: to.vrid, family: to.family, fromIp: from.srcIp, toIp: to.srcIp, fromMac: from.srcMac, toMac: to.srcMac,
        at: isoTime(to.first), fromFrame: fromAt.frame, toFrame: to.first.frame, file: k.inputs[to.input]?.name ?? '',
        takeoverMs: round1(takeoverS * 1000), boundMs: round1(boundS * 1000), limitMs: round1(limitS * 1000),
        announceMs: p.announce.size ? announceMax : null, announce, resumeMs, graceful, preempted, priority: to.priority, intervalMs: round1(intervalS * 1000),
        intervalFrom: confInt.length === 1 ? 'config' : 'wire',
      }
      const fromHost = k.hostOf(from.srcMac)?.name ?? k.hostOf(from.srcIp)?.name
      const toHost = k.hostOf(to.srcMac)?.name ?? k.hostOf(to.srcIp)?.name
      if (fromHost) tr.fromHost = fromHost
      if (toHost) tr.toHost = toHost
      transitions.push(tr)
      if (takeoverS > limitS) {
        this.findings.add(finding(k, 'slow-takeover', 'fail', to.first, {mac: to.srcMac, ip: to.srcIp, relatedFrame: fromAt.frame},
          `VRID ${to.vrid} (${to.family}): ${to.srcIp} took over ${tr.takeoverMs} ms after ${from.srcIp}'s ${graceful ? 'priority-0 advert' : 'last advert'} (${where(k, fromAt)}), over the bound ${tr.boundMs} ms + tolerance (limit ${tr.limitMs} ms)`))
      }
    }
    this.checkFlapping(transitions)
    this.checkNoTakeover()
    const findings = this.findings.list()
    const masters = this.currentMasters()
    const counts = {adverts: this.adverts, badChecksums: this.badChecksums, masters}
    if (this.adverts === 0) {
      return {name: 'failover', verdict: 'inconclusive', summary: 'no VRRP advert in the capture', findings, counts, transitions,
        missing: 'no VRRP (IP protocol 112) was seen: capture on the LAN where multicast adverts arrive, or on an LB when keepalived uses unicast peers'}
    }
    if (this.findings.hasFail) {
      const kinds = [...new Set(findings.filter((f) => f.severity === 'fail').map((f) => f.kind))]
      return {name: 'failover', verdict: 'fail', summary: `failover problem (${kinds.join(', ')})`, findings, counts, transitions}
    }
    // the same master seen at several capture points is named once
    const masterTxt = [...new Set(masters.map((m) => `VRID ${m.vrid}/${m.family}: ${m.ip} prio ${m.priority} every ${m.intervalMs} ms`))].join('; ')
    if (transitions.length === 0) {
      return {name: 'failover', verdict: 'inconclusive', summary: `no master change in the capture (${masterTxt})`, findings, counts, transitions,
        missing: 'no transition to time: capture across a failover (stop keepalived on the master) to measure it'}
    }
    if (unknownAnnounce > 0) {
      return {name: 'failover', verdict: 'inconclusive', summary: `${transitions.length} transition(s), but the capture ended before every VIP was announced`, findings, counts, transitions,
        missing: 'capture a few seconds longer after the takeover'}
    }
    const worst = transitions.reduce((a, b) => (b.takeoverMs > a.takeoverMs ? b : a))
    return {name: 'failover', verdict: 'pass', summary: `${transitions.length} transition(s) completed within the VRRP bound + tolerance (slowest ${worst.takeoverMs} ms: bound ${worst.boundMs} ms, limit ${worst.limitMs} ms)`, findings, counts, transitions}
  }

  /** Live view for --trigger: every master change seen so far and how far it got. */
  progress(): {changes: {input: number, vrid: number, family: string, startS: number, announced: boolean, resumed: boolean}[], vipReplies: Set<number>} {
    return {
      changes: this.pending.map((p) => ({input: p.to.input, vrid: p.to.vrid, family: p.to.family, startS: secondsOf(p.to.first),
        announced: [...p.announce.values()].every((a) => a !== null), resumed: p.resume !== null})),
      vipReplies: this.inputsWithVipReplies,
    }
  }

  private checkFlapping(transitions: Transition[]): void {
    const {flapCount, flapWindowS} = this.k.options
    const by = new Map<string, Pending[]>()
    for (const p of this.pending) {
      const key = `${p.to.input}/${p.to.vrid}/${p.to.family}`
      let l = by.get(key)
      if (!l) by.set(key, (l = []))
      l.push(p)
    }
    void transitions
    for (const list of by.values()) {
      for (let i = 0; i + flapCount < list.length; i++) {
        const span = secondsOf(list[i + flapCount].to.first) - secondsOf(list[i].to.first)
        if (span <= flapWindowS) {
          const last = list[i + flapCount].to
          this.findings.add(finding(this.k, 'flapping', 'fail', last.first, {mac: last.srcMac, ip: last.srcIp, relatedFrame: list[i].to.first.frame},
            `VRID ${last.vrid} (${last.family}) changed master ${flapCount + 1} times within ${round1(span)} s (more than ${flapCount} in ${flapWindowS} s), from ${where(this.k, list[i].to.first)} to ${where(this.k, last.first)}`))
          break
        }
      }
    }
  }

  /** The master stopped (silent or priority 0) and nobody took over before the capture ended. */
  private checkNoTakeover(): void {
    const k = this.k
    for (const list of k.tenures.values()) {
      const positive = list.filter((t) => t.first !== t.resigned)
      const lastTen = positive.reduce<Tenure | null>((a, b) => (!a || secondsOf(b.last) > secondsOf(a.last) ? b : a), null)
      if (!lastTen) continue
      const end = secondsOf(k.inputs[lastTen.input]?.last ?? lastTen.last)
      const stoppedAt = lastTen.resigned ?? lastTen.last
      const limit = (lastTen.resigned ? skewS(lastTen.version, 100, lastTen.intervalCs / 100) : downIntervalS(lastTen)) * (1 + k.options.tolerancePct / 100)
        + k.options.toleranceMs / 1000 + lastTen.intervalCs / 100
      const silent = end - secondsOf(stoppedAt)
      if (silent > limit && (lastTen.resigned || silent > downIntervalS(lastTen) + 2 * lastTen.intervalCs / 100)) {
        this.findings.add(finding(k, 'no-takeover', 'fail', stoppedAt, {mac: lastTen.srcMac, ip: lastTen.srcIp},
          `VRID ${lastTen.vrid} (${lastTen.family}): master ${lastTen.srcIp} ${lastTen.resigned ? 'resigned' : 'stopped advertising'} at ${where(k, stoppedAt)} and no router took over in the ${round1(silent)} s the capture went on`))
      }
    }
  }

  private currentMasters() {
    const out: {vrid: number, family: string, ip: string, mac: string, priority: number, intervalMs: number, version: number, adverts: number, meanGapMs: number | null, maxGapMs: number | null, addrs: string[], file?: string}[] = []
    const several = this.k.inputs.length > 1
    for (const list of this.k.tenures.values()) {
      const positive = list.filter((t) => t.first !== t.resigned && !t.resigned)
      const t = positive.reduce<Tenure | null>((a, b) => (!a || secondsOf(b.last) > secondsOf(a.last) ? b : a), null)
      if (!t) continue
      out.push({vrid: t.vrid, family: t.family, ip: t.srcIp, mac: t.srcMac, priority: t.priority, intervalMs: t.intervalCs * 10, version: t.version,
        adverts: t.count, meanGapMs: t.count > 1 ? round1((t.sumGapS / (t.count - 1)) * 1000) : null, maxGapMs: t.count > 1 ? round1(t.maxGapS * 1000) : null, addrs: t.addrs,
        // with several capture points each sees the master: say whose view this is
        ...(several ? {file: this.k.inputs[t.input]?.name ?? `input ${t.input}`} : {})})
    }
    return out
  }
}
