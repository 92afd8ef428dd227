// The pipeline: packet records → Dissector (decode) → events → checks → report.
// Sources (files, interfaces) push records into an Analysis; `finish()` judges.

import {linkTypeName, type PacketRecord} from '../capture/record.js'
import {Dissector} from '../decode/dissect.js'
import type {DecodedEvent, VrrpEvent} from '../decode/events.js'
import {ArpCheck, claimFromArp, claimFromNd} from '../checks/arp.js'
import {Knowledge, type CheckOptions} from '../checks/context.js'
import {FailoverCheck} from '../checks/failover.js'
import {SourceCheck} from '../checks/source.js'
import {combineVerdicts, type CheckName, type CheckResult, type Finding, type Verdict} from '../checks/types.js'
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
  /** live extras (--probe) that watch the decoded events too */
  readonly observers: ((ev: DecodedEvent) => void)[] = []

  constructor(options: CheckOptions, readonly checks: CheckName[]) {
    this.k = new Knowledge(options)
    this.source = checks.includes('source') || checks.includes('arp') ? new SourceCheck(this.k) : null
    this.arp = checks.includes('arp') ? new ArpCheck(this.k) : null
    // the failover check reports stale owners too: it needs the claims even when `arp` is not run
    this.arpForStale = this.arp ?? (checks.includes('failover') ? new ArpCheck(this.k) : null)
    this.failover = checks.includes('failover') ? new FailoverCheck(this.k) : null
    this.dissector = new Dissector((ev) => this.onEvent(ev))
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
    const lts = this.linkTypes[rec.input]
    if (!lts.has(rec.linkType)) { lts.add(rec.linkType); inp.linkTypes.push(linkTypeName(rec.linkType)) }
    this.k.sawFrame(rec)
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

  private onEvent(ev: DecodedEvent): void {
    for (const o of this.observers) o(ev)
    switch (ev.kind) {
      case 'traffic':
        this.source?.onTraffic(ev)
        this.failover?.onTraffic(ev)
        break
      case 'arp':
      case 'nd': {
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
    })
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
    return {
      verdict: combineVerdicts(results.map((r) => r.verdict)),
      inputs: this.inputs,
      vips: [...this.k.vips],
      vipsLearnt: this.k.options.vipsLearnt,
      checks: results,
      notes,
      known: this.knownAddresses(),
    }
  }

  private knownAddresses(): {ips: string[], macs: string[]} {
    const ips = new Set(this.k.vips)
    for (const list of this.k.tenures.values()) for (const t of list) ips.add(t.srcIp)
    const macs = new Set([...this.k.allLbMacs(), ...this.k.proxyMacs(), ...(this.source?.gatewayMacs() ?? [])])
    return {ips: [...ips], macs: [...macs]}
  }
}
