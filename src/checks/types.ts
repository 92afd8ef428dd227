// The vocabulary of judgement: verdicts, findings, transitions and a check's result.
// Names follow the spec's JSON Output section (../shared/spec/checks.md).

import type {FrameRef} from '../decode/events.js'

export type Verdict = 'pass' | 'fail' | 'inconclusive'
export type Severity = 'fail' | 'warn' | 'info'
export type CheckName = 'source' | 'arp' | 'failover'
export const CHECK_NAMES: readonly CheckName[] = ['source', 'arp', 'failover']

/** Every finding kind, at run time (`drcheck explain` and its test iterate over it). */
export const FINDING_KINDS = [
  // source
  'wrong-source', 'reset', 'unreachable', 'unanswered', 'via-lb', 'nat', 'lb-view',
  // arp
  'real-server-answers', 'real-server-announces', 'stale-owner', 'conflict', 'foreign-claim',
  // failover
  'split-brain', 'slow-takeover', 'not-announced', 'flapping', 'vrid-collision',
  'bad-checksum', 'contender', 'no-takeover', 'master', 'vrrp-unseen',
  // input
  'truncated-capture', 'corrupt-capture', 'packets-dropped', 'vip-mismatch', 'malformed-frames', 'unsupported-link',
  // --probe (arp: who answered drcheck's ARP/NS; source: the DR path SYN probe) and --trigger
  'probe-responders', 'probe-unanswered', 'probe-answered', 'trigger',
  // several capture points (checks/multipoint.ts) and keepalived.conf against the wire (checks/config-match.ts)
  'lost-in-transit', 'clock-offset', 'config-mismatch',
] as const

export type FindingKind = typeof FINDING_KINDS[number]

export interface Finding {
  kind: FindingKind
  severity: Severity
  /** input label (file name or interface) of the evidence frame */
  file?: string
  interface?: string
  frame?: number
  time?: string
  mac?: string
  ip?: string
  host?: string
  message: string
  /** a second frame that belongs to the same evidence (the other claimer, the request …) */
  relatedFrame?: number
  /** the input of relatedFrame when it is another capture point's */
  relatedFile?: string
}

export interface Transition {
  vrid: number
  family: 'ipv4' | 'ipv6'
  fromIp: string
  toIp: string
  fromMac: string
  toMac: string
  /** ISO time of the new master's first advert */
  at: string
  fromFrame: number
  toFrame: number
  file: string
  takeoverMs: number
  boundMs: number
  /** bound + tolerance: what a takeover must not exceed */
  limitMs: number
  /** null when the new master did not announce (or the capture ended first) */
  announceMs: number | null
  /** per VIP: ms from the new master's first advert to its first gratuitous ARP / unsolicited NA */
  announce: Record<string, number | null>
  resumeMs: number | null
  graceful: boolean
  /** the old master was still advertising when the new one started (preemption) */
  preempted: boolean
  priority: number
  intervalMs: number
  /** inventory names of the old and new master, when known */
  fromHost?: string
  toHost?: string
  /** where the interval of the bound came from: the adverts, or keepalived.conf */
  intervalFrom?: 'wire' | 'config'
}

export interface CheckResult {
  name: CheckName
  verdict: Verdict
  summary: string
  findings: Finding[]
  /** what was missing when inconclusive, and how to get it */
  missing?: string
  /** per-check counters for the report (counts per proxy, port, family …) */
  counts?: Record<string, unknown>
  transitions?: Transition[]
}

/** `verify`'s rule: fail if any fails; pass if none fails and at least one passes; else inconclusive. */
export function combineVerdicts(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail'
  if (verdicts.includes('pass')) return 'pass'
  return 'inconclusive'
}

export function exitCodeFor(v: Verdict): number {
  return v === 'pass' ? 0 : v === 'fail' ? 1 : 2
}

/** Seconds since the epoch as a double (≈0.2 µs precision): for durations and ordering. */
export function secondsOf(f: FrameRef): number {
  return f.tsSec + f.tsNsec * 1e-9
}

/** ISO 8601 UTC with the capture's own resolution (6 digits for µs, 9 for ns). */
export function isoTime(f: {tsSec: number, tsNsec: number, tsDigits: number}): string {
  const d = new Date(f.tsSec * 1000)
  // a timestamp beyond what a Date holds (a corrupt if_tsresol/if_tsoffset): seconds since the epoch
  if (Number.isNaN(d.getTime())) return `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}s-since-epoch`
  const base = d.toISOString().slice(0, 19)
  const digits = Math.max(0, Math.min(9, f.tsDigits))
  if (digits === 0) return base + 'Z'
  const frac = String(f.tsNsec).padStart(9, '0').slice(0, digits)
  return `${base}.${frac}Z`
}

export function round1(ms: number): number {
  return Math.round(ms * 10) / 10
}
