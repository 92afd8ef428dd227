// Check `arp`: only the active LB claims the VIP (ARP and IPv6 neighbour discovery).
// Records every claim while events stream (and conflicts, which need no roles), then judges each
// claim at the end, when the VRRP timeline and the roles of the MACs are known.

import type {ArpEvent, FrameRef, NdEvent} from '../decode/events.js'
import type {Knowledge} from './context.js'
import {ref} from './context.js'
import {finding, FindingList, where} from './evidence.js'
import type {CheckResult, Finding} from './types.js'
import {secondsOf} from './types.js'

export type ClaimHow = 'arp-reply' | 'garp-request' | 'arp-request' | 'na' | 'ns'

export interface Claim {
  at: FrameRef
  vip: string
  /** the claiming MAC: ARP sender hardware address, NA target / NS source link-layer option */
  mac: string
  ethSrc: string
  how: ClaimHow
  /** unsolicited: gratuitous ARP or NA without the S flag */
  unsolicited: boolean
}

/** A claim is an answer (reply, NA) or an announcement (request with the VIP as sender, NS from the VIP). */
export function isAnswer(c: Claim): boolean {
  return c.how === 'arp-reply' || c.how === 'na'
}

export function claimFromArp(ev: ArpEvent, vips: Set<string>): Claim | null {
  if (!vips.has(ev.senderIp)) return null
  if (ev.op === 2) return {at: ref(ev), vip: ev.senderIp, mac: ev.senderMac, ethSrc: ev.ethSrc, how: 'arp-reply', unsolicited: ev.targetIp === ev.senderIp}
  if (ev.op === 1) {
    const garp = ev.targetIp === ev.senderIp
    return {at: ref(ev), vip: ev.senderIp, mac: ev.senderMac, ethSrc: ev.ethSrc, how: garp ? 'garp-request' : 'arp-request', unsolicited: garp}
  }
  return null
}

export function claimFromNd(ev: NdEvent, vips: Set<string>): Claim | null {
  if (ev.type === 136 && vips.has(ev.target)) {
    return {at: ref(ev), vip: ev.target, mac: ev.lladdr || ev.ethSrc, ethSrc: ev.ethSrc, how: 'na', unsolicited: !ev.solicited}
  }
  if (ev.type === 135 && vips.has(ev.ipSrc)) {
    return {at: ref(ev), vip: ev.ipSrc, mac: ev.lladdr || ev.ethSrc, ethSrc: ev.ethSrc, how: 'ns', unsolicited: false}
  }
  return null
}

const howText: Record<ClaimHow, string> = {
  'arp-reply': 'an ARP reply',
  'garp-request': 'a gratuitous ARP',
  'arp-request': 'an ARP request with the VIP as sender',
  na: 'a neighbour advertisement',
  ns: 'a neighbour solicitation from the VIP',
}

export function describeClaim(k: Knowledge, c: Claim): string {
  const how = c.how === 'arp-reply' && c.unsolicited ? 'a gratuitous ARP reply' : c.how === 'na' && c.unsolicited ? 'an unsolicited neighbour advertisement' : howText[c.how]
  const eth = c.ethSrc && c.ethSrc !== c.mac ? ` (Ethernet source ${c.ethSrc})` : ''
  return `${c.mac}${eth} sent ${how} for ${c.vip} at ${where(k, c.at)}`
}

export class ArpCheck {
  readonly claims: Claim[] = []
  /** conflicts with both claiming MACs, judged at the end (see finish) */
  private readonly conflictList: {macs: string[], at: FrameRef, vip: string, finding: Finding}[] = []
  /** per input+VIP: last claim per MAC, for the conflict window */
  private readonly lastByMac = new Map<string, Map<string, Claim>>()
  private readonly seenPairs = new Set<string>()
  private claimCount = 0
  /** claims kept in full for judging; beyond this only counted (an ARP storm must not exhaust memory) */
  private static readonly MAX_KEPT = 100_000

  constructor(private readonly k: Knowledge) {}

  /** A claim of a VIP (the pipeline derives it once from ARP/ND, for this check and failover). */
  onClaim(c: Claim): void {
    this.claimCount++
    if (this.claims.length < ArpCheck.MAX_KEPT) this.claims.push(c)
    const key = `${c.at.input}/${c.vip}`
    let last = this.lastByMac.get(key)
    if (!last) this.lastByMac.set(key, (last = new Map()))
    const t = secondsOf(c.at)
    const window = this.k.intervalOfVip(c.vip)
    for (const [mac, other] of last) {
      if (mac === c.mac) continue
      if (t - secondsOf(other.at) <= window) {
        const pair = [key, ...[mac, c.mac].sort()].join('|')
        if (this.seenPairs.has(pair)) continue
        this.seenPairs.add(pair)
        if (this.conflictList.length < 1000) {
          this.conflictList.push({macs: [other.mac, c.mac], at: c.at, vip: c.vip, finding: finding(this.k, 'conflict', 'fail', c.at, {mac: c.mac, ip: c.vip, relatedFrame: other.at.frame},
            `${c.mac} and ${other.mac} both claimed ${c.vip} within ${window} s: ${describeClaim(this.k, other)}; ${describeClaim(this.k, c)}`)})
        }
      }
    }
    last.set(c.mac, c)
  }

  /** Claims judged against the roles; also used by the failover check for stale owners. */
  judgeClaims(): {findings: FindingList, okClaims: number, unjudged: Map<string, Claim>, staleFindings: FindingList} {
    const k = this.k
    const findings = new FindingList()
    const staleFindings = new FindingList()
    const unjudged = new Map<string, Claim>()
    let okClaims = 0
    const reported = new Set<string>()
    for (const c of this.claims) {
      const t = secondsOf(c.at)
      const masters = k.mastersAt(c.vip, c.at.input, t)
      const vrrpKnown = k.hasVrrpFor(c.vip)
      if (masters.has(c.mac) || masters.has(c.ethSrc)) { okClaims++; continue }
      if (!vrrpKnown && k.declaredLbMacs.has(c.mac)) { okClaims++; continue }
      const once = (kind: string) => {
        const key = `${c.at.input}|${kind}|${c.mac}|${c.vip}|${c.how}`
        if (reported.has(key)) return false
        reported.add(key)
        return true
      }
      if (k.isProxyMac(c.mac) || k.isProxyMac(c.ethSrc)) {
        const answers = isAnswer(c)
        const kind = answers ? 'real-server-answers' : 'real-server-announces'
        if (once(kind)) {
          findings.add(finding(k, kind, 'fail', c.at, {mac: c.mac, ip: c.vip},
            `proxy ${describeClaim(k, c)}: a real server must never ${answers ? 'answer' : 'announce'} the VIP`))
        }
        continue
      }
      const ten = k.formerMasterAt(c.vip, c.at.input, t, c.mac)
      if (ten) {
        const f = finding(k, 'stale-owner', 'fail', c.at, {mac: c.mac, ip: c.vip},
          `former master ${ten.srcIp} ${describeClaim(k, c)} after ${ten.endedBy ? `${ten.endedBy.srcIp} took over` : 'it resigned'}: the VIP was not removed from it`)
        if (once('stale-owner')) { findings.add(f); staleFindings.add(f) }
        continue
      }
      if (!vrrpKnown && k.declaredLbMacs.size === 0) {
        if (!unjudged.has(c.mac)) unjudged.set(c.mac, c)
        continue
      }
      if (once('foreign-claim')) {
        const role = k.isLbMac(c.mac) ? 'an LB that is not the VRRP master' : 'a MAC that is neither the active LB nor a known proxy'
        const masterTxt = masters.size ? ` (active: ${[...masters].filter((m) => !m.startsWith('00:00:5e:00:0')).join(', ') || [...masters].join(', ')})` : ' while no master was advertising'
        findings.add(finding(k, 'foreign-claim', 'fail', c.at, {mac: c.mac, ip: c.vip}, `${role}: ${describeClaim(k, c)}${masterTxt}`))
      }
    }
    return {findings, okClaims, unjudged, staleFindings}
  }

  finish(): CheckResult {
    const k = this.k
    if (k.vips.size === 0) {
      return {name: 'arp', verdict: 'inconclusive', summary: 'no VIP known', findings: [],
        missing: 'no VIP was given and no VRRP advert named one: give --vip'}
    }
    const {findings, okClaims, unjudged} = this.judgeClaims()
    // a conflict stays a finding whatever the roles (spec), but it names the claimer that was not
    // the VRRP master at that moment, so nobody goes to fix the healthy LB
    for (const {macs, finding: f, at, vip} of this.conflictList) {
      const masters = k.mastersAt(vip, at.input, secondsOf(at))
      const notMaster = macs.filter((m) => !masters.has(m))
      if (notMaster.length === 1) {
        f.mac = notMaster[0]
        const host = k.hostOf(notMaster[0]!)?.name
        if (host) f.host = host
        else delete f.host
        const master = macs.find((m) => m !== notMaster[0])!
        f.message += k.decorate(` (${master} was the VRRP master; ${notMaster[0]} is the one to look at)`)
      }
      findings.add(f)
    }
    const all = findings.list()
    const counts = {claims: this.claimCount, byActiveLb: okClaims, claimers: [...new Set(this.claims.map((c) => c.mac))]}
    if (findings.hasFail) {
      const kinds = [...new Set(all.filter((f) => f.severity === 'fail').map((f) => f.kind))]
      return {name: 'arp', verdict: 'fail', summary: `VIP claimed by someone other than the active LB (${kinds.join(', ')})`, findings: all, counts}
    }
    if (unjudged.size > 0) {
      const macs = [...unjudged.keys()]
      return {name: 'arp', verdict: 'inconclusive', summary: `VIP claimed by ${macs.join(', ')}, but the active LB is unknown`, findings: all, counts,
        missing: 'no VRRP advert for the VIP in the capture and no --lb-mac: capture where the adverts are visible (multicast LAN or on an LB), or declare the LB MACs with --lb-mac'}
    }
    if (okClaims === 0) {
      return {name: 'arp', verdict: 'inconclusive', summary: 'nobody claimed the VIP in the capture', findings: all, counts,
        missing: 'no ARP reply, gratuitous ARP or neighbour advertisement for the VIP was seen: capture longer, across a failover, or while a client resolves the VIP (e.g. flush the gateway\'s neighbour entry)'}
    }
    return {name: 'arp', verdict: 'pass', summary: `VIP claimed ${okClaims} time(s), only by the active LB`, findings: all, counts}
  }
}
