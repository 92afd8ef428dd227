// The pipeline: packet records → Dissector (decode) → events → checks → report.
// Sources (files, interfaces) push records into an Analysis; `finish()` judges.

import {linkTypeName, type PacketRecord} from '../capture/record.js'
import {Dissector} from '../decode/dissect.js'
import type {DecodedEvent, TrafficEvent, VrrpEvent} from '../decode/events.js'
import {ArpCheck, claimFromArp, claimFromNd} from '../checks/arp.js'
import {Knowledge, type CheckOptions} from '../checks/context.js'
import {FailoverCheck} from '../checks/failover.js'
import {SourceCheck} from '../checks/source.js'
import {MultiPoint} from '../checks/multipoint.js'
import {addFindings, configMismatches} from '../checks/config-match.js'
import {combineVerdicts, type CheckName, type CheckResult, type Finding, type FindingKind, type Verdict} from '../checks/types.js'
import type {ProbeReport} from '../capture/probe.js'
import type {TriggerReport} from './trigger.js'

export interface InputReport {
  file?: string
  interface?: string
  packets: number
  linkTypes: string[]
  format?: string
  /** frames the decoders could not use (cut short or inconsistent) */
  malformed: number
  /** problems with the input itself: a file cut short, an unsupported link type, dropped packets */
  warnings: string[]
  /** live only: libpcap's counters when the capture stopped (pcap_stats): packets that passed the
   *  filter, packets the kernel dropped because drcheck did not read fast enough (ring buffer full),
   *  packets the interface dropped. Absent when the binding cannot give them (unpatched cap). */
  kernel?: {received: number, dropped: number, ifDropped: number}
  /** live only: where the frame times come from ('kernel' = libpcap's, 'event-loop' = stamped in JS) */
  timestamps?: 'kernel' | 'event-loop'
  /** the file is corrupt from this byte offset on (not merely cut at its end): frames before it
   *  were analysed, and the overall verdict is at best inconclusive */
  corrupt?: {offset: number, message: string}
  /** an impossible record the reader read past (the file is probably damaged from there on):
   *  every frame was analysed, but the overall verdict is at best inconclusive */
  suspect?: {offset: number, message: string}
  /** several capture points: this input's clock minus the first input's (median over shared frames), ms */
  clockOffsetMs?: number | null
  /** frames seen both here and at the first input (the alignment's sample) */
  sharedFrames?: number
}

export interface Report {
  verdict: Verdict
  inputs: InputReport[]
  vips: string[]
  vipsLearnt: boolean
  checks: CheckResult[]
  /** input-level findings (truncated file …), also shown with every check they may affect */
  notes: Finding[]
  /** --trigger: the command that was run and each master change after it (src/lib/trigger.ts) */
  trigger?: TriggerReport
  /** --probe: what was sent and who answered (src/capture/probe.ts) */
  probe?: ProbeReport
  /** addresses with a known role (VIPs, LBs, VRRP routers, proxies, gateway): --redact keeps them */
  known?: {ips: string[], macs: string[]}
}

export class Analysis {
  readonly k: Knowledge
  readonly dissector: Dissector
  private readonly source: SourceCheck | null
  private readonly arp: ArpCheck | null
  private readonly arpForStale: ArpCheck | null
  private readonly failover: FailoverCheck | null
  readonly inputs: InputReport[] = []
  private readonly linkTypes: Set<number>[] = []
  private readonly malformedAt: number[] = []
  packets = 0
  /** addresses named by VRRP adverts of priority > 0, in the order first seen (replay checks the
   *  VIPs it learnt from the start of the files against these) */
  readonly advertisedVips = new Set<string>()
  private lastLinkType = -1
  private lastLinkInput = -1
  /** several capture points (replay): clock alignment and cross-point checks */
  private multi: MultiPoint | null = null

  enableMultiPoint(): void {
    this.multi ??= new MultiPoint()
  }
  /** live extras (--probe) that watch the decoded events too; one returning true keeps a traffic
   *  event from the checks (the probe's own connections are judged by the probe, not as client traffic) */
  readonly observers: ((ev: DecodedEvent) => boolean | void)[] = []

  constructor(options: CheckOptions, readonly checks: CheckName[]) {
    this.k = new Knowledge(options)
    this.source = checks.includes('source') || checks.includes('arp') ? new SourceCheck(this.k) : null
    this.arp = checks.includes('arp') ? new ArpCheck(this.k) : null
    // the failover check reports stale owners too: it needs the claims even when `arp` is not run
    this.arpForStale = this.arp ?? (checks.includes('failover') ? new ArpCheck(this.k) : null)
    this.failover = checks.includes('failover') ? new FailoverCheck(this.k) : null
    this.dissector = new Dissector((ev) => this.onEvent(ev), (ev) => this.onTraffic(ev))
  }

  addInput(name: string, kind: 'file' | 'interface'): number {
    const i = this.k.addInput(name, kind)
    this.inputs.push(kind === 'file' ? {file: name, packets: 0, linkTypes: [], malformed: 0, warnings: []} : {interface: name, packets: 0, linkTypes: [], malformed: 0, warnings: []})
    this.linkTypes.push(new Set())
    this.malformedAt.push(this.dissector.stats.malformed)
    return i
  }

  /** Feed one captured frame (the record is reused by the caller). */
  onRecord = (rec: PacketRecord): void => {
    this.packets++
    const inp = this.inputs[rec.input]
    inp.packets++
    if (rec.linkType !== this.lastLinkType || rec.input !== this.lastLinkInput) {
      this.lastLinkType = rec.linkType
      this.lastLinkInput = rec.input
      const lts = this.linkTypes[rec.input]
      if (!lts.has(rec.linkType)) { lts.add(rec.linkType); inp.linkTypes.push(linkTypeName(rec.linkType)) }
    }
    this.k.sawFrame(rec)
    this.multi?.onRecord(rec)
    this.dissector.dissect(rec)
  }

  /** Call when an input is done: attributes the decoder's malformed count to it. */
  endInput(input: number): void {
    const now = this.dissector.stats.malformed
    const before = this.malformedAt[input] ?? 0
    this.inputs[input].malformed += now - before
    for (let j = input + 1; j < this.malformedAt.length; j++) this.malformedAt[j] = now
  }

  /** --trigger: master changes seen so far (empty without the failover check). */
  failoverProgress() {
    return this.failover?.progress() ?? {changes: [], vipReplies: new Set<number>()}
  }

  /** Most frames: TCP, UDP, ICMP echo and errors. */
  private onTraffic(ev: TrafficEvent): void {
    if (this.observers.length > 0) {
      let consumed = false
      for (const o of this.observers) if (o(ev) === true) consumed = true
      if (consumed) return
    }
    this.source?.onTraffic(ev)
    this.failover?.onTraffic(ev)
  }

  private onEvent(ev: DecodedEvent): void {
    if (ev.kind === 'traffic') return this.onTraffic(ev)
    for (const o of this.observers) o(ev)
    switch (ev.kind) {
      case 'arp':
      case 'nd': {
        if (ev.kind === 'arp') this.k.sawBinding(ev.senderIp, ev.senderMac)
        else if (ev.lladdr) this.k.sawBinding(ev.type === 136 ? ev.target : ev.ipSrc, ev.lladdr)
        const claim = ev.kind === 'arp' ? claimFromArp(ev, this.k.vips) : claimFromNd(ev, this.k.vips)
        if (!claim) break
        this.arpForStale?.onClaim(claim)
        this.failover?.onClaim(claim)
        break
      }
      case 'vrrp': {
        this.learnVips(ev)
        const {tenure, started} = this.k.sawVrrp(ev)
        this.failover?.onVrrp(ev, tenure, started)
        break
      }
    }
  }

  private learnVips(ev: VrrpEvent): void {
    if (ev.priority > 0) for (const a of ev.addrs) this.advertisedVips.add(a)
    if (!this.k.options.vipsLearnt) return
    for (const a of ev.addrs) this.k.vips.add(a)
  }

  finish(): Report {
    const results: CheckResult[] = []
    const notes: Finding[] = []
    this.inputs.forEach((inp, i) => {
      const name = inp.file ?? inp.interface ?? String(i)
      if (inp.malformed > 0) notes.push({kind: 'malformed-frames', severity: 'info', file: name, message: `${name}: ${inp.malformed} frame(s) cut short or malformed were skipped`})
      for (const w of inp.warnings) notes.push({kind: 'truncated-capture', severity: 'warn', file: name, message: w})
      const lost = inp.kernel ? inp.kernel.dropped + inp.kernel.ifDropped : 0
      if (inp.kernel && lost > 0) {
        const where = [inp.kernel.dropped > 0 ? `${inp.kernel.dropped} by the kernel (its capture buffer was full: drcheck did not read fast enough)` : '',
          inp.kernel.ifDropped > 0 ? `${inp.kernel.ifDropped} by the interface` : ''].filter(Boolean).join(' and ')
        notes.push({kind: 'packets-dropped', severity: 'warn', interface: name,
          message: `${name}: ${lost} packet(s) that passed the capture filter were dropped before drcheck saw them (${where}; ${inp.packets} analysed): the checks saw a partial view, so a pass is not given (at best inconclusive) and a finding about a missing packet may be a dropped one`})
      }
      if (inp.suspect) notes.push({kind: 'corrupt-capture', severity: 'warn', file: name, message: `${name}: byte offset ${inp.suspect.offset}: ${inp.suspect.message}; the frames after it were analysed as they read, so the verdict is at best inconclusive (capinfos / tshark -r show the damage)`})
      if (inp.corrupt) notes.push({kind: 'corrupt-capture', severity: 'fail', file: name, message: `${name}: corrupt at byte offset ${inp.corrupt.offset}: ${inp.corrupt.message}; only the frames before it were analysed, so the verdict is at best inconclusive`})
    })
    if (this.dissector.stats.ipBeyondFrame > 0) {
      notes.push({kind: 'malformed-frames', severity: 'info', message: `${this.dissector.stats.ipBeyondFrame} frame(s) not cut by the snaplen have an IP length field larger than the frame (decoded up to the frame's end)`})
    }
    for (const [lt, n] of this.dissector.stats.unsupportedLink) {
      notes.push({kind: 'unsupported-link', severity: 'warn', message: `${n} frame(s) of link type ${linkTypeName(lt)} (${lt}) are not decoded`})
    }
    if (!this.k.options.vipsLearnt) {
      const other = [...this.k.vridsOfVip.keys()].filter((a) => !this.k.vips.has(a))
      if (other.length) notes.push({kind: 'vip-mismatch', severity: 'warn', message: `VRRP adverts in the capture name ${other.join(', ')}, which --vip did not give (a mistyped VIP?)`})
    }
    const source = this.source?.finish()
    for (const name of this.checks) {
      if (name === 'source' && source) results.push(source)
      if (name === 'arp' && this.arp) results.push(this.arp.finish())
      if (name === 'failover' && this.failover) {
        const stale = this.arpForStale ? this.arpForStale.judgeClaims().staleFindings.list() : []
        results.push(this.failover.finish(stale))
      }
    }
    this.judgeAcrossPoints(results, notes)
    discountDrops(results, this.inputs)
    return {
      verdict: capForInputErrors(combineVerdicts(results.map((r) => r.verdict)), notes),
      inputs: this.inputs,
      vips: [...this.k.vips],
      vipsLearnt: this.k.options.vipsLearnt,
      checks: results,
      notes,
      known: this.knownAddresses(),
    }
  }

  /** keepalived.conf against the wire; several capture points: clock offsets and cross-point findings. */
  private judgeAcrossPoints(results: CheckResult[], notes: Finding[]): void {
    this.nameHosts(results)
    const failover = results.find((r) => r.name === 'failover')
    if (failover) addFindings(failover, configMismatches(this.k), 'configuration and wire disagree (config-mismatch)')
    if (!this.multi || this.inputs.length < 2) return
    const offsets = this.multi.clockOffsets(this.inputs.length)
    const first = this.inputs[0].file ?? this.inputs[0].interface ?? ''
    offsets.forEach((o, i) => {
      this.inputs[i].clockOffsetMs = o.offsetMs
      this.inputs[i].sharedFrames = o.sharedFrames
      if (i === 0) return
      const name = this.inputs[i].file ?? this.inputs[i].interface ?? String(i)
      notes.push(o.offsetMs === null
        ? {kind: 'clock-offset', severity: 'info', file: name, message: `${name}: no frame in common with ${first}, its clock is not aligned (cross-point checks skip it)`}
        : {kind: 'clock-offset', severity: 'info', file: name, message: `${name}: clock ${o.offsetMs >= 0 ? '+' : ''}${o.offsetMs} ms against ${first} (median over ${o.sharedFrames} frames seen at both points)`})
    })
    const source = results.find((r) => r.name === 'source')
    if (!source) return
    const cross = this.multi.judge(this.k, offsets)
    if (source.counts) source.counts.crossPoint = {checked: cross.checked, proxyPoints: cross.proxyPoints}
    // a request judged at both points: keep the cross-point finding (it names both frames)
    const both = new Set(cross.findings.filter((f) => f.kind === 'unanswered').map((f) => `${f.file}#${f.frame}`))
    source.findings = source.findings.filter((f) => !(f.kind === 'unanswered' && !f.relatedFile && both.has(`${f.file}#${f.frame}`)))
    addFindings(source, cross.findings, `${cross.findings.filter((f) => f.severity === 'fail').length} forwarded request(s) lost or unanswered between capture points`)
  }

  /** With an inventory: host names in summaries, per-proxy counts and the current masters. */
  private nameHosts(results: CheckResult[]): void {
    if (!this.k.options.hosts?.length) return
    for (const r of results) {
      r.summary = this.k.decorate(r.summary)
      if (r.missing) r.missing = this.k.decorate(r.missing)
      const c = r.counts as {perProxy?: Record<string, number>, masters?: {mac: string, ip: string, host?: string}[]} | undefined
      if (c?.perProxy) c.perProxy = Object.fromEntries(Object.entries(c.perProxy).map(([m, n]) => [this.k.named(m), n]))
      for (const m of c?.masters ?? []) {
        const h = this.k.hostOf(m.mac) ?? this.k.hostOf(m.ip)
        if (h) m.host = h.name
      }
    }
  }

  private knownAddresses(): {ips: string[], macs: string[]} {
    const o = this.k.options
    const ips = new Set([...this.k.vips, ...(o.proxyIps ?? []), ...(o.lbIps ?? [])])
    for (const list of this.k.tenures.values()) for (const t of list) ips.add(t.srcIp)
    const macs = new Set([...this.k.allLbMacs(), ...this.k.proxyMacs(), ...(this.source?.gatewayMacs() ?? [])])
    // everything the inventory names is ours, not a customer's
    for (const h of o.hosts ?? []) { for (const a of h.addresses) ips.add(a); for (const m of h.macs) macs.add(m) }
    return {ips: [...ips], macs: [...macs]}
  }
}

/** A corrupt input (damage in the middle of a file) leaves the overall verdict at best inconclusive:
 *  the part after the damage was never judged, and it cannot be told whether it was cut or lost. */
/** Failing findings that rest on a packet NOT being seen (a reply, an advert, a gratuitous ARP, a
 *  frame at the other capture point): where packets were dropped, the missing one may be a dropped one. */
const ABSENCE_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>(['unanswered', 'lost-in-transit', 'no-takeover', 'vrrp-unseen', 'slow-takeover', 'not-announced'])

/**
 * A live capture that dropped packets (libpcap's counters) judged a partial view. Failing findings
 * that rest on the absence of a packet on such an input become warnings (the packet may have been
 * dropped), and a check left with no failing finding is inconclusive instead of fail. Findings that
 * rest on packets seen (a wrong source, a reset, a claim by a real server) still fail. A pass on such
 * a capture is capped to inconclusive by capForInputErrors (the packets-dropped note).
 */
export function discountDrops(results: CheckResult[], inputs: InputReport[]): void {
  const dropped = new Map<string, number>()
  for (const i of inputs) {
    const n = i.kernel ? i.kernel.dropped + i.kernel.ifDropped : 0
    if (n > 0) dropped.set(i.file ?? i.interface ?? '', n)
  }
  if (dropped.size === 0) return
  for (const r of results) {
    let discounted = 0
    for (const f of r.findings) {
      if (f.severity !== 'fail' || !ABSENCE_KINDS.has(f.kind)) continue
      // a finding without an input label (a transition judged across points) is discounted when any input dropped
      const on = f.file ?? f.interface
      const n = on === undefined ? [...dropped.values()].reduce((a, b) => a + b, 0) : dropped.get(on)
      if (!n) continue
      f.severity = 'warn'
      f.message += ` (not judged: ${n} packet(s) were dropped on ${on ?? 'the capture'}, the missing one may be among them)`
      discounted++
    }
    if (discounted > 0 && r.verdict === 'fail' && !r.findings.some((f) => f.severity === 'fail')) {
      r.verdict = 'inconclusive'
      r.summary = `${discounted} finding(s) rest on packets not seen, and packets were dropped: not judged (${r.summary})`
      r.missing = 'a capture without drops: write it with tcpdump -i IFACE -w FILE and judge the file with drcheck verify -r FILE'
    }
  }
}

export function capForInputErrors(v: Verdict, notes: Finding[]): Verdict {
  return v === 'pass' && notes.some((n) => n.kind === 'corrupt-capture' || n.kind === 'packets-dropped') ? 'inconclusive' : v
}
