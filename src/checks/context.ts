// What the checks know besides the packets: the user's expectations (options) and what the whole
// capture taught (roles of MACs, the VRRP timeline). Checks record evidence while events stream
// and judge at the end, when this knowledge is complete.

import type {Family, FrameRef, VrrpEvent} from '../decode/events.js'
import {secondsOf} from './types.js'

export interface CheckOptions {
  /** VIPs in canonical form (see decode/events.ts) */
  vips: string[]
  /** true when the VIPs came from VRRP adverts, not from --vip */
  vipsLearnt: boolean
  lbMacs: string[]
  proxyMacs: string[]
  /** seconds a request may wait for its reply before it counts as unanswered */
  replyTimeoutS: number
  /** a flow idle this long is forgotten (memory stays flat); 0 = reply timeout + 5 s */
  flowIdleS?: number
  /** takeover tolerance: a takeover fails when it exceeds bound × (1 + pct/100) + ms */
  tolerancePct: number
  toleranceMs: number
  /** flapping: more than flapCount transitions of one VRID within flapWindowS seconds */
  flapCount: number
  flapWindowS: number
  /** inventory hosts: names for MACs and addresses (src/config/inventory.ts) */
  hosts?: HostInfo[]
  /** own addresses of proxies / LBs (inventory, keepalived real_server / unicast peers): their MACs come from ARP / ND seen */
  proxyIps?: string[]
  lbIps?: string[]
  /** what keepalived.conf / the inventory configure per "vrid/family" (config-mismatch, failover bound) */
  expectedVrids?: Map<string, ExpectedVrid>
}

export interface HostInfo {name: string, role: string, macs: string[], addresses: string[]}

export interface ExpectedVrid {
  vrid: number
  family: Family
  /** configured advert_int values (seconds); empty when unknown */
  advertIntS: number[]
  priorities: number[]
  versions: number[]
  vips: string[]
  useVmac: boolean
  /** file:line of the configuration (or the inventory) */
  where: string
}

export const DEFAULT_OPTIONS: Omit<CheckOptions, 'vips' | 'vipsLearnt' | 'lbMacs' | 'proxyMacs'> = {
  replyTimeoutS: 3,
  tolerancePct: 25,
  toleranceMs: 100,
  flapCount: 3,
  flapWindowS: 60,
}

export interface InputInfo {
  name: string
  kind: 'file' | 'interface'
  first: FrameRef | null
  last: FrameRef | null
}

/** One master's uninterrupted run of adverts for a VRID, as seen at one capture point. */
export interface Tenure {
  input: number
  vrid: number
  family: Family
  srcIp: string
  srcMac: string
  version: 2 | 3
  priority: number
  intervalCs: number
  authType: number
  authData: string
  addrs: string[]
  first: FrameRef
  /** last advert with priority > 0 */
  last: FrameRef
  /** the priority-0 advert that ended it, if any */
  resigned: FrameRef | null
  count: number
  /** largest gap between two adverts, seconds */
  maxGapS: number
  /** sum of gaps (for the mean) */
  sumGapS: number
  /** set when another source's tenure started after this one's last advert */
  endedBy: Tenure | null
}

/**
 * The cluster an advert belongs to: VRID, family and its address list. Two pairs that use one VRID
 * with other addresses (a vrid-collision) are two clusters: their masters are not each other's
 * predecessors, so no transition, split brain or stale owner is read across them.
 */
export function clusterOf(ev: {vrid: number, family: Family, addrs: string[]}): string {
  return `${ev.vrid}/${ev.family}/${[...ev.addrs].sort().join(',')}`
}

/** Key of the tenure list of an advert's cluster at its capture point. */
export function tenureKey(ev: {input: number, vrid: number, family: Family, addrs: string[]}): string {
  return `${ev.input}/${clusterOf(ev)}`
}

export function vmacFor(vrid: number, family: Family): string {
  const h = vrid.toString(16).padStart(2, '0')
  return family === 'ipv4' ? `00:00:5e:00:01:${h}` : `00:00:5e:00:02:${h}`
}

/** Master_Down_Interval's skew for a priority: v2 in whole seconds' units, v3 scaled by the interval. */
export function skewS(version: 2 | 3, priority: number, intervalS: number): number {
  return version === 2 ? (256 - priority) / 256 : ((256 - priority) * intervalS) / 256
}

export function downIntervalS(t: Pick<Tenure, 'version' | 'priority' | 'intervalCs'>): number {
  const interval = t.intervalCs / 100
  return 3 * interval + skewS(t.version, t.priority, interval)
}

export class Knowledge {
  readonly vips: Set<string>
  readonly declaredLbMacs: Set<string>
  readonly declaredProxyMacs: Set<string>
  /** MACs that sent VRRP adverts (and the virtual MACs of their VRIDs) */
  readonly lbMacs = new Set<string>()
  /** MACs that sent replies sourced from a VIP and are not LBs: the proxies */
  readonly replyMacs = new Map<string, number>()
  readonly inputs: InputInfo[] = []
  /** per input, per "vrid/family": tenures in order of start */
  readonly tenures = new Map<string, Tenure[]>()
  /** bumped on every advert: cached VIP timelines are rebuilt after it changes */
  private vrrpVersion = 0
  private readonly timelines = new Map<string, VipTimeline>()
  private readonly openTenures = new Map<string, Tenure[]>()
  private readonly intervalByVip = new Map<string, number>()
  /** VIP → the VRIDs (per family) whose adverts list it */
  readonly vridsOfVip = new Map<string, Set<string>>()

  /** inventory names: MAC → host, address → host */
  readonly hostByMac = new Map<string, HostInfo>()
  readonly hostByIp = new Map<string, HostInfo>()
  /** own (non-VIP) addresses → MACs, learnt from ARP senders and ND link-layer options */
  readonly macsOfIp = new Map<string, Set<string>>()
  private readonly proxyIps: Set<string>
  private readonly lbIps: Set<string>

  constructor(readonly options: CheckOptions) {
    this.vips = new Set(options.vips)
    this.declaredLbMacs = new Set(options.lbMacs)
    this.declaredProxyMacs = new Set(options.proxyMacs)
    for (const h of options.hosts ?? []) {
      for (const m of h.macs) this.hostByMac.set(m, h)
      for (const a of h.addresses) this.hostByIp.set(a, h)
    }
    this.proxyIps = new Set(options.proxyIps ?? [])
    this.lbIps = new Set(options.lbIps ?? [])
  }

  /** An address → MAC binding seen on the wire (ARP sender, ND option); VIPs are not bindings. */
  sawBinding(ip: string, mac: string): void {
    if (!ip || !mac || this.vips.has(ip) || mac === 'ff:ff:ff:ff:ff:ff' || mac === '00:00:00:00:00:00') return
    let s = this.macsOfIp.get(ip)
    if (!s) this.macsOfIp.set(ip, (s = new Set()))
    if (s.size < 8) s.add(mac)
  }

  private macHasIpIn(mac: string, ips: Set<string>): boolean {
    if (ips.size === 0) return false
    for (const ip of ips) if (this.macsOfIp.get(ip)?.has(mac)) return true
    return false
  }

  isLbMac(mac: string): boolean {
    return this.declaredLbMacs.has(mac) || this.lbMacs.has(mac) || this.macHasIpIn(mac, this.lbIps)
  }

  isProxyMac(mac: string): boolean {
    if (this.declaredProxyMacs.has(mac)) return true
    if (this.macHasIpIn(mac, this.proxyIps) && !this.declaredLbMacs.has(mac) && !this.lbMacs.has(mac)) return true
    return this.replyMacs.has(mac) && !this.isLbMac(mac)
  }

  allLbMacs(): Set<string> {
    const out = new Set([...this.declaredLbMacs, ...this.lbMacs])
    for (const ip of this.lbIps) for (const m of this.macsOfIp.get(ip) ?? []) out.add(m)
    return out
  }

  proxyMacs(): string[] {
    const out = new Set(this.declaredProxyMacs)
    for (const ip of this.proxyIps) for (const m of this.macsOfIp.get(ip) ?? []) if (!this.declaredLbMacs.has(m) && !this.lbMacs.has(m)) out.add(m)
    for (const mac of this.replyMacs.keys()) if (!this.isLbMac(mac)) out.add(mac)
    return [...out]
  }

  /** The inventory host of a MAC or address (a MAC learnt for an inventory address counts). */
  hostOf(macOrIp: string): HostInfo | undefined {
    const h = this.hostByMac.get(macOrIp) ?? this.hostByIp.get(macOrIp)
    if (h || !macOrIp.includes(':') || macOrIp.length !== 17) return h
    for (const [ip, macs] of this.macsOfIp) if (macs.has(macOrIp) && this.hostByIp.has(ip)) return this.hostByIp.get(ip)
    return undefined
  }

  /** "rs1 (02:00:00:00:00:21)" when the inventory names the MAC, else the MAC. */
  named(macOrIp: string): string {
    const h = this.hostOf(macOrIp)
    return h ? `${h.name} (${macOrIp})` : macOrIp
  }

  /** Put host names next to every MAC (and every host address) a sentence mentions:
   *  "rs1 (02:00:00:00:00:21)"; an address and a MAC of one host side by side: "lb1 (198.51.100.2, 02:…)". */
  decorate(message: string): string {
    if (this.hostByMac.size === 0 && this.hostByIp.size === 0) return message
    const re = /(?<![\w:.])([0-9a-f]{2}(?::[0-9a-f]{2}){5}|\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:.])/gi
    let out = ''
    let pos = 0
    let last: {host: HostInfo, closeAt: number} | null = null
    for (let m = re.exec(message); m; m = re.exec(message)) {
      const addr = m[0]
      const h = this.hostOf(addr.toLowerCase())
      if (!h) continue
      const between = message.slice(pos, m.index)
      // "lb1 (198.51.100.2) 02:…" → "lb1 (198.51.100.2, 02:…)"; "(02:…)" right after the name: already named
      if (last && last.host === h && /^\s*\(?$/.test(between)) {
        out = out.slice(0, last.closeAt) + `, ${addr}` + out.slice(last.closeAt)
        pos = m.index + addr.length
        if (between.endsWith('(') && message[pos] === ')') pos++
        continue
      }
      out += between
      if (out.slice(Math.max(0, out.length - h.name.length - 2)).includes(h.name)) {
        out += addr
        last = null
      } else {
        out += `${h.name} (${addr}`
        last = {host: h, closeAt: out.length}
        out += ')'
      }
      pos = m.index + addr.length
    }
    return out + message.slice(pos)
  }


  addInput(name: string, kind: 'file' | 'interface'): number {
    this.inputs.push({name, kind, first: null, last: null})
    return this.inputs.length - 1
  }

  sawFrame(f: FrameRef): void {
    const info = this.inputs[f.input]
    if (!info) return
    if (!info.first) info.first = ref(f)
    // keep the latest time (frames may be slightly out of order between interfaces); updated in
    // place: this runs for every frame
    const last = info.last
    if (!last) info.last = ref(f)
    else if (f.tsSec > last.tsSec || (f.tsSec === last.tsSec && f.tsNsec >= last.tsNsec)) {
      last.frame = f.frame; last.tsSec = f.tsSec; last.tsNsec = f.tsNsec; last.tsDigits = f.tsDigits
    }
  }

  /** Feed one VRRP advert into the timeline. Returns the tenure it belongs to and whether it started it. */
  sawVrrp(ev: VrrpEvent): {tenure: Tenure, started: boolean} {
    if (ev.ethSrc) {
      this.lbMacs.add(ev.ethSrc)
      this.lbMacs.add(vmacFor(ev.vrid, ev.family))
    }
    this.vrrpVersion++
    const cluster = clusterOf(ev)
    const intervalS = (ev.intervalCs || 100) / 100
    for (const a of ev.addrs) if (intervalS > (this.intervalByVip.get(a) ?? 0)) this.intervalByVip.set(a, intervalS)
    for (const a of ev.addrs) {
      let s = this.vridsOfVip.get(a)
      if (!s) this.vridsOfVip.set(a, (s = new Set()))
      s.add(cluster)
    }
    const key = tenureKey(ev)
    let list = this.tenures.get(key)
    if (!list) this.tenures.set(key, (list = []))
    const t = secondsOf(ev)
    // the open tenure of this source, if it is still running
    for (let i = list.length - 1; i >= 0; i--) {
      const ten = list[i]
      if (ten.srcIp !== ev.ipSrc) continue
      if (ten.resigned) break
      const gap = t - secondsOf(ten.last)
      if (ten.endedBy) {
        // another source started since: this one goes on only if it never paused (both advertise:
        // split brain or preemption), otherwise it is a new tenure (it came back)
        if (gap > 1.5 * ten.intervalCs / 100) break
        ten.endedBy = null
        this.openTenures.get(key)?.push(ten)
      }
      if (gap > downIntervalS(ten) + ten.intervalCs / 100) break
      if (ev.priority === 0) {
        ten.resigned = ref(ev)
        return {tenure: ten, started: false}
      }
      ten.count++
      ten.maxGapS = Math.max(ten.maxGapS, gap)
      ten.sumGapS += gap
      ten.last = ref(ev)
      ten.priority = ev.priority
      ten.intervalCs = ev.intervalCs
      return {tenure: ten, started: false}
    }
    const ten: Tenure = {
      input: ev.input, vrid: ev.vrid, family: ev.family, srcIp: ev.ipSrc, srcMac: ev.ethSrc, version: ev.version,
      priority: ev.priority, intervalCs: ev.intervalCs || 100, authType: ev.authType, authData: ev.authData,
      addrs: [...ev.addrs], first: ref(ev), last: ref(ev), resigned: ev.priority === 0 ? ref(ev) : null, count: 1,
      maxGapS: 0, sumGapS: 0, endedBy: null,
    }
    // tenures not yet ended by a successor, per list (a few: one per router), so a new master
    // marks its predecessors without walking the whole history
    let open = this.openTenures.get(key)
    if (!open) this.openTenures.set(key, (open = []))
    if (ev.priority !== 0) {
      const still: Tenure[] = []
      for (const other of open) {
        if (other.endedBy) continue
        if (other.srcIp !== ev.ipSrc && secondsOf(other.last) <= t) other.endedBy = ten
        else still.push(other)
      }
      open.length = 0
      for (const o of still) open.push(o)
    }
    open.push(ten)
    list.push(ten)
    return {tenure: ten, started: ev.priority !== 0}
  }

  /** Tenures (any input) of the VRIDs that list this VIP. */
  tenuresOfVip(vip: string, input: number): Tenure[] {
    const out: Tenure[] = []
    for (const vf of this.vridsOfVip.get(vip) ?? []) {
      const list = this.tenures.get(`${input}/${vf}`)
      // a loop, not push(...): a capture with 100,000s of master changes overflows the call stack
      if (list) for (const t of list) if (t.priority > 0 || t.count > 1 || !t.resigned) out.push(t)
    }
    return out
  }

  /**
   * Tenures of a VIP at one capture point with their [start, end] in seconds, sorted by start, and
   * per MAC the ended ones sorted by end: built once per (VIP, input) and rebuilt only after new
   * adverts, so judging many claims against thousands of master changes stays O(log n) per claim.
   */
  private timeline(vip: string, input: number): VipTimeline {
    const key = `${input}|${vip}`
    const cached = this.timelines.get(key)
    if (cached && cached.version === this.vrrpVersion) return cached
    const spans: Span[] = []
    for (const ten of this.tenuresOfVip(vip, input)) {
      if (ten.first === ten.resigned) continue
      const start = secondsOf(ten.first) - ten.intervalCs / 100
      let end = ten.resigned ? secondsOf(ten.resigned) : secondsOf(ten.last) + downIntervalS(ten)
      // a master's last moments overlap its successor's first by up to one interval (its queued
      // gratuitous ARPs, a preemption race): still its tenure, not a stale claim
      if (ten.endedBy) end = Math.min(end, secondsOf(ten.endedBy.first) + ten.intervalCs / 100)
      // ended: by a successor (plus that grace) or by its priority-0 advert
      const endedAt = ten.endedBy ? secondsOf(ten.endedBy.first) + ten.intervalCs / 100 : ten.resigned ? secondsOf(ten.resigned) : Infinity
      spans.push({ten, start, end, endedAt})
    }
    spans.sort((a, b) => a.start - b.start)
    let maxLen = 0
    const endedByMac = new Map<string, Span[]>()
    for (const sp of spans) {
      maxLen = Math.max(maxLen, sp.end - sp.start)
      if (sp.endedAt === Infinity) continue
      let l = endedByMac.get(sp.ten.srcMac)
      if (!l) endedByMac.set(sp.ten.srcMac, (l = []))
      l.push(sp)
    }
    for (const l of endedByMac.values()) l.sort((a, b) => a.endedAt - b.endedAt)
    const tl: VipTimeline = {version: this.vrrpVersion, spans, maxLen, endedByMac}
    this.timelines.set(key, tl)
    return tl
  }

  /** MACs that were the VRRP master for a VIP at time t (s) at one capture point. */
  mastersAt(vip: string, input: number, t: number): Set<string> {
    const out = new Set<string>()
    const {spans, maxLen} = this.timeline(vip, input)
    // last span starting at or before t, then back while a span could still reach t
    let lo = 0, hi = spans.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (spans[mid]!.start <= t) lo = mid + 1; else hi = mid }
    for (let i = lo - 1; i >= 0 && spans[i]!.start >= t - maxLen; i--) {
      const sp = spans[i]!
      if (t <= sp.end) {
        out.add(sp.ten.srcMac)
        out.add(vmacFor(sp.ten.vrid, sp.ten.family))
      }
    }
    return out
  }

  /** The latest tenure of this MAC as master of the VIP that had ended before t, if any. */
  formerMasterAt(vip: string, input: number, t: number, mac: string): Tenure | null {
    const l = this.timeline(vip, input).endedByMac.get(mac)
    if (!l) return null
    let lo = 0, hi = l.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (l[mid]!.endedAt < t) lo = mid + 1; else hi = mid }
    return lo > 0 ? l[lo - 1]!.ten : null
  }

  hasVrrpFor(vip: string): boolean {
    return this.vridsOfVip.has(vip)
  }

  /** Advert interval (s) of the VRID that carries the VIP, or 1 s when unknown. */
  intervalOfVip(vip: string): number {
    return this.intervalByVip.get(vip) ?? 1
  }

}

interface Span {
  ten: Tenure
  start: number
  end: number
  endedAt: number
}

interface VipTimeline {
  version: number
  spans: Span[]
  maxLen: number
  endedByMac: Map<string, Span[]>
}

export function ref(f: FrameRef): FrameRef {
  return {input: f.input, frame: f.frame, tsSec: f.tsSec, tsNsec: f.tsNsec, tsDigits: f.tsDigits}
}
