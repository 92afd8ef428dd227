// `--nagios`: one Nagios plugin line and the plugin exit status.
//
//   DRCHECK CRITICAL - arp fail: real-server-answers x3 (02:00:00:00:00:21 frame 25 of lan.pcapng); source pass; failover inconclusive | 'packets'=403;;;0 'findings'=3;;;0 ...
//
// Status: pass → OK (0), fail → CRITICAL (2), inconclusive → WARNING (1): the check ran but could
// confirm nothing (no traffic to the VIP, no claim seen), which wants a look but is not a fault of
// the plugin; an error (bad usage, unreadable input, capture could not start) → UNKNOWN (3), as the
// plugin guidelines reserve UNKNOWN for a check that could not run.
// Perfdata follows the guidelines: 'label'=value[UOM];warn;crit;min;max, no '|' in the text part.

import type {Report} from '../lib/analyze.js'
import type {Finding, Verdict} from '../checks/types.js'

export const NAGIOS_STATUS = {OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3} as const
export type NagiosState = keyof typeof NAGIOS_STATUS

export function nagiosState(v: Verdict): NagiosState {
  return v === 'pass' ? 'OK' : v === 'fail' ? 'CRITICAL' : 'WARNING'
}

/** The text part of a plugin line must not hold '|' (it starts the perfdata) nor a newline. */
function clean(s: string): string {
  return s.replace(/[|\r\n]+/g, ' ').replace(/\s+/g, ' ').trim()
}

function perf(label: string, value: number, uom = '', warn = '', crit = '', min: number | '' = 0, max: number | '' = ''): string {
  const v = Number.isInteger(value) ? String(value) : value.toFixed(1)
  return `'${label}'=${v}${uom};${warn};${crit};${min};${max}`.replace(/;+$/, '')
}

function firstEvidence(fs: Finding[]): string {
  const f = fs.find((x) => x.frame !== undefined) ?? fs[0]
  if (!f) return ''
  const who = f.host ?? f.mac ?? f.ip
  const where = f.frame !== undefined ? `frame ${f.frame} of ${f.file ?? f.interface}` : ''
  return [who, where].filter(Boolean).join(' ')
}

export function nagiosLine(r: Report, command = 'verify'): {line: string, status: number} {
  const state = nagiosState(r.verdict)
  const parts: string[] = []
  // failing checks first: the text is cut by most UIs
  const order: Record<Verdict, number> = {fail: 0, inconclusive: 1, pass: 2}
  for (const c of [...r.checks].sort((a, b) => order[a.verdict] - order[b.verdict])) {
    const fails = c.findings.filter((f) => f.severity === 'fail')
    if (c.verdict === 'fail' && fails.length) {
      const kinds = new Map<string, Finding[]>()
      for (const f of fails) kinds.set(f.kind, [...(kinds.get(f.kind) ?? []), f])
      const ks = [...kinds].map(([k, list]) => `${k} x${list.length} (${firstEvidence(list)})`)
      parts.push(`${c.name} fail: ${ks.join(', ')}`)
    } else if (c.verdict === 'fail') {
      parts.push(`${c.name} fail: ${c.summary}`)
    } else {
      parts.push(`${c.name} ${c.verdict}`)
    }
  }
  const packets = r.inputs.reduce((n, i) => n + i.packets, 0)
  const all = r.checks.flatMap((c) => c.findings)
  const failN = all.filter((f) => f.severity === 'fail').length
  const warnN = all.filter((f) => f.severity === 'warn').length + r.notes.filter((n) => n.severity === 'warn').length
  const transitions = r.checks.flatMap((c) => c.transitions ?? [])
  const data = [
    perf('packets', packets),
    perf('findings', failN, '', '', '1'),
    perf('warnings', warnN),
    perf('transitions', transitions.length),
  ]
  if (transitions.length) {
    // the slowest takeover, with its own limit (bound + tolerance) as the critical threshold
    const worst = transitions.reduce((a, b) => (b.takeoverMs - b.limitMs > a.takeoverMs - a.limitMs ? b : a))
    data.push(perf('takeover_ms', worst.takeoverMs, 'ms', '', String(worst.limitMs)))
    const ann = transitions.map((t) => t.announceMs).filter((x): x is number => x !== null)
    if (ann.length) data.push(perf('announce_ms', ann.reduce((a, b) => (b > a ? b : a)), 'ms'))
  }
  const head = `DRCHECK ${state} - ${clean(`${command}: ${parts.join('; ')}`)}`
  return {line: `${head} | ${data.join(' ')}`, status: NAGIOS_STATUS[state]}
}

/** The line for an error (exit 3): the plugin could not check. */
export function nagiosError(message: string): string {
  return `DRCHECK UNKNOWN - ${clean(message)}`
}
