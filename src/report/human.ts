// The human report: one summary line per check, then its evidence. Colour only on a terminal and
// never with NO_COLOR (chalk decides from the stream; we pass the level explicitly).

import type {ChalkInstance} from 'chalk'
import type {Report} from '../lib/analyze.js'
import type {CheckResult, Finding, Verdict} from '../checks/types.js'
import type {EvidenceEntry} from './evidence.js'
import {remedyFor} from './remedies.js'

/**
 * No colour: what chalk does at level 0 (a style returns its argument as a string; c.green.bold is
 * again a style), without loading chalk, which costs 10–20 ms of start-up (its colour detection
 * imports node:process and node:tty) for a report that has no colour.
 */
const plain: ChalkInstance = new Proxy((...a: unknown[]) => (a.length === 1 ? '' + a[0] : a.join(' ')), {
  get: (target, key) => (typeof key === 'string' && key !== 'then' ? plain : Reflect.get(target, key)),
}) as unknown as ChalkInstance

export async function makeChalk(stream: NodeJS.WriteStream): Promise<ChalkInstance> {
  const color = stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb'
  if (!color) return plain
  const {Chalk} = await import('chalk')
  return new Chalk({level: 1})
}

function label(c: ChalkInstance, v: Verdict): string {
  if (v === 'pass') return c.green.bold('PASS')
  if (v === 'fail') return c.red.bold('FAIL')
  return c.yellow.bold('INCONCLUSIVE')
}

function findingLine(c: ChalkInstance, f: Finding): string[] {
  const mark = f.severity === 'fail' ? c.red('✗') : f.severity === 'warn' ? c.yellow('!') : c.dim('·')
  const where = [f.file ?? f.interface, f.frame !== undefined ? `frame ${f.frame}` : undefined, f.time, f.host, f.mac, f.ip].filter(Boolean).join('  ')
  const lines = [`    ${mark} ${c.bold(f.kind)}${where ? '  ' + c.dim(where) : ''}`]
  lines.push(`      ${f.message}`)
  return lines
}

/** --trigger: the command and each stage of the master change it caused; --probe: who answered. */
function activeLines(c: ChalkInstance, r: Report): string[] {
  const out: string[] = []
  const t = r.trigger
  if (t) {
    const status = t.error ? `could not run: ${t.error}` : t.durationMs < 0 ? 'still running at the end (stopped)' : t.signal ? `killed by ${t.signal}` : `exit status ${t.exitCode}`
    out.push('', c.bold('trigger') + ` \`${t.command}\` at ${t.startedAt}: ${status}, ${t.durationMs < 0 ? '?' : t.durationMs} ms` + c.dim(` (baseline ${t.baselineMs} ms, expect within ${t.expectWithinMs} ms, stopped: ${t.stoppedBy})`))
    for (const s of t.stages) {
      const ok = s.takeoverMs <= s.limitMs
      out.push(`  ${ok ? c.green('↪') : c.red('↪')} VRID ${s.vrid} ${s.family} ${s.fromIp} → ${s.toIp} ${c.dim(`${s.sinceCommandMs} ms after the command started`)}`)
      out.push(`    takeover ${c.bold(`${s.takeoverMs} ms`)} (limit ${s.limitMs} ms${s.graceful ? ', graceful' : ''}) · announce ${s.announceMs === null ? 'not seen' : `${s.announceMs} ms`} · resume ${s.resumeMs === null ? 'not seen' : `${s.resumeMs} ms`}`)
    }
    if (t.stages.length === 0) out.push(`  ${c.red('✗')} no master change after the command`)
    const tail = (s: string) => s.trim().split('\n').slice(-3).map((l) => c.dim(`    ${l}`))
    if (t.stdout.trim()) out.push(c.dim('  stdout:'), ...tail(t.stdout))
    if (t.stderr.trim()) out.push(c.dim('  stderr:'), ...tail(t.stderr))
  }
  const p = r.probe
  if (p) {
    out.push('', c.bold('probe') + c.dim(` (window ${p.windowS} s)`))
    for (const n of p.neighbour) out.push(`  ${n.kind === 'arp' ? 'ARP who-has' : 'NS'} ${n.vip} on ${n.interface}: ${n.responders.length} responder(s)${n.responders.length ? ': ' + n.responders.join(', ') : ''}`)
    for (const s of p.syn) out.push(`  SYN ${s.vip}:${s.port} via ${s.mac} on ${s.interface}: ${s.outcome}${s.answeredBy ? ` from ${s.answeredBy} in ${s.rttMs} ms` : ''}`)
    for (const n of p.notes) out.push(c.yellow(`  ! ${n}`))
  }
  return out
}

/** transitions shown in the human report: all up to this many, else the first and the slowest */
const TRANSITIONS_SHOWN = 12

function transitionsBlock(c: ChalkInstance, r: CheckResult): string[] {
  const out: string[] = []
  const all = r.transitions ?? []
  let shown = all
  if (all.length > TRANSITIONS_SHOWN) {
    // a flapping pair or a long capture: the first few, then the slowest against their limit
    const half = TRANSITIONS_SHOWN / 2
    const slowest = all.map((t, i) => ({i, over: t.takeoverMs - t.limitMs})).slice(half)
      .sort((a, b) => b.over - a.over).slice(0, half).map((x) => x.i)
    const keep = new Set([...Array.from({length: half}, (_, i) => i), ...slowest])
    shown = all.filter((_, i) => keep.has(i))
  }
  for (const t of shown) {
    const ok = t.takeoverMs <= t.limitMs
    const ann = t.announceMs === null ? 'not announced' : `${t.announceMs} ms`
    const res = t.resumeMs === null ? 'no traffic after it' : `${t.resumeMs} ms`
    out.push(`    ${ok ? c.green('↪') : c.red('↪')} VRID ${t.vrid} ${t.family}: ${t.fromHost ? `${t.fromHost} ` : ''}${t.fromIp} → ${t.toHost ? `${t.toHost} ` : ''}${t.toIp} at ${t.at} (${t.file} frames ${t.fromFrame}→${t.toFrame}, ${t.graceful ? 'graceful, priority-0 advert' : t.preempted ? 'preempted' : 'old master went silent'})`)
    const within = t.takeoverMs <= t.limitMs ? c.green('within the limit') : c.red('over the limit')
    out.push(`      takeover ${c.bold(`${t.takeoverMs} ms`)} ${within} (bound ${t.boundMs} ms + tolerance = ${t.limitMs} ms) · announce ${ann} · resume ${res}`)
  }
  if (shown.length < all.length) out.push(c.dim(`    … ${all.length - shown.length} more transition(s) not shown (the first ${TRANSITIONS_SHOWN / 2} and the slowest against their limit are; all of them with --json)`))
  return out
}

/** findings shown per kind in the human report; --json has them all */
const PER_KIND = 5

/** The usual fix, under the first fail/warn finding of each kind (drcheck explain KIND has more). */
function remedyLines(c: ChalkInstance, f: Finding): string[] {
  const r = remedyFor(f.kind)
  if (!r) return []
  return [`      ${c.cyan('fix:')} ${r.fix[0]}`, ...r.fix.slice(1).map((l) => `           ${l}`), c.dim(`           (drcheck explain ${f.kind})`)]
}

function evidenceLines(c: ChalkInstance, ev: EvidenceEntry[]): string[] {
  if (ev.length === 0) return []
  const out = ['', c.bold('evidence') + c.dim(' (Wireshark display filter for the original capture)')]
  for (const e of ev) {
    out.push(`  ${e.input}: ${e.filter}`)
    for (const p of e.pcaps) out.push(c.dim(`    → ${p.path} (${p.frames} frame${p.frames === 1 ? '' : 's'})`))
    if (e.note) out.push(c.dim(`    ${e.note}`))
  }
  return out
}

export function renderHuman(r: Report, c: ChalkInstance, opts: {quiet?: boolean, command?: string, evidence?: EvidenceEntry[], redacted?: boolean} = {}): string {
  const lines: string[] = []
  const cut = r.notes.filter((n) => n.kind === 'truncated-capture' || n.kind === 'corrupt-capture' || n.kind === 'packets-dropped').length
  const verdictLine = `${label(c, r.verdict)} ${opts.command ?? 'verify'}: ${r.checks.map((x) => `${x.name} ${x.verdict}`).join(', ')}` +
    (cut ? c.yellow(` (judged on a partial capture: ${cut} input problem(s), see the report)`) : '')
  if (opts.quiet) return verdictLine + '\n'
  const packets = r.inputs.reduce((n, i) => n + i.packets, 0)
  const plural = (n: number) => `${n} packet${n === 1 ? '' : 's'}`
  const inputs = r.inputs.map((i) => `${i.file ?? i.interface} (${plural(i.packets)}, ${i.linkTypes.join('/') || 'no frames'})`).join(', ')
  lines.push(c.dim(`input${r.inputs.length > 1 ? 's' : ''}: ${inputs}${r.inputs.length > 1 ? `; ${plural(packets)} in all` : ''}`))
  const vipNote = r.vips.length === 0 ? 'none (no --vip given and no VRRP advert named one)' : r.vips.join(', ') + (r.vipsLearnt ? ' (learnt from VRRP adverts)' : '')
  lines.push(c.dim(`VIPs: ${vipNote}`))
  for (const n of r.notes) lines.push(`${n.severity === 'warn' ? c.yellow('! ') : c.dim('· ')}${n.message}`)
  lines.push('')
  for (const chk of r.checks) {
    lines.push(`${label(c, chk.verdict).padEnd(chk.verdict === 'inconclusive' ? 0 : 4)}  ${c.bold(chk.name.padEnd(8))} ${chk.summary}`)
    if (chk.missing) lines.push(`    ${c.yellow('missing:')} ${chk.missing}`)
    for (const l of transitionsBlock(c, chk)) lines.push(l)
    const order = {fail: 0, warn: 1, info: 2}
    const shown = new Map<string, number>()
    const hidden = new Map<string, number>()
    const explained = new Set<string>()
    for (const f of [...chk.findings].sort((a, b) => order[a.severity] - order[b.severity])) {
      // the check's own `N more KIND findings not listed` (beyond the 20 per kind the JSON holds)
      // joins the count of those this report leaves out
      const beyond = f.frame === undefined && f.severity !== 'fail' ? /^(\d+) more (\S+) findings not listed$/.exec(f.message) : null
      if (beyond && beyond[2] === f.kind) { hidden.set(f.kind, (hidden.get(f.kind) ?? 0) + Number(beyond[1])); continue }
      const n = (shown.get(f.kind) ?? 0) + 1
      shown.set(f.kind, n)
      if (n > PER_KIND && f.frame !== undefined) { hidden.set(f.kind, (hidden.get(f.kind) ?? 0) + 1); continue }
      lines.push(...findingLine(c, f))
      if (f.severity !== 'info' && !explained.has(f.kind)) { explained.add(f.kind); lines.push(...remedyLines(c, f)) }
    }
    for (const [kind, n] of hidden) lines.push(c.dim(`    … ${n} more ${kind} finding(s) (--json lists up to 20 of each kind)`))
    if (chk.name === 'source' && chk.counts) {
      const cnt = chk.counts as {perProxy?: Record<string, number>, perService?: Record<string, number>, perFamily?: Record<string, number>}
      const fmt = (o?: Record<string, number>) => Object.entries(o ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')
      if (cnt.perProxy && Object.keys(cnt.perProxy).length) lines.push(c.dim(`    pairs per proxy: ${fmt(cnt.perProxy)}; per service: ${fmt(cnt.perService)}; per family: ${fmt(cnt.perFamily)}`))
    }
    if (chk.name === 'failover' && chk.counts) {
      const masters = (chk.counts as {masters?: {vrid: number, family: string, ip: string, mac: string, priority: number, intervalMs: number, adverts: number, meanGapMs: number | null, maxGapMs: number | null}[]}).masters ?? []
      for (const m of masters as {host?: string}[] as typeof masters) lines.push(c.dim(`    master VRID ${m.vrid} ${m.family}: ${(m as {host?: string}).host ? `${(m as {host?: string}).host} ` : ''}${m.ip} (${m.mac}) priority ${m.priority}, interval ${m.intervalMs} ms, ${m.adverts} adverts${m.meanGapMs !== null ? `, mean gap ${m.meanGapMs} ms, max ${m.maxGapMs} ms` : ''}${(m as {file?: string}).file ? ` (seen in ${(m as {file?: string}).file})` : ''}`))
    }
  }
  lines.push(...evidenceLines(c, opts.evidence ?? []))
  if (opts.redacted) {
    lines.push(c.dim('--redact: client addresses and MACs are pseudonyms (VIPs, LBs, proxies and the gateway are kept)'))
    if ((opts.evidence ?? []).some((e) => e.pcaps.length)) lines.push(c.yellow('! the evidence pcaps hold the original frames: they are not redacted'))
  }
  lines.push(...activeLines(c, r))
  lines.push('')
  lines.push(verdictLine)
  return lines.join('\n') + '\n'
}
