// --trigger CMD (failover, verify; live only): capture a baseline, run CMD with `sh -c`, require a
// master change within --expect-within after the command ended, keep capturing until each new
// master announced every VIP and replies from the VIP resumed (or a limit), then report each stage.
// The timing itself is the failover check's (takeover, announce, resume per transition); this
// module runs the command, decides when to stop, and adds the command and `no-takeover` to the report.

import {spawn} from 'node:child_process'
import type {Knowledge, Tenure} from '../checks/context.js'
import {skewS} from '../checks/context.js'
import type {Finding} from '../checks/types.js'
import {combineVerdicts, isoTime, round1, secondsOf} from '../checks/types.js'
import type {Report} from './analyze.js'

/** What --json carries under `trigger`. */
export interface TriggerReport {
  command: string
  exitCode: number | null
  signal: string | null
  /** stdout/stderr of the command, at most OUTPUT_LIMIT characters each (cut output says so) */
  stdout: string
  stderr: string
  startedAt: string
  durationMs: number
  baselineMs: number
  expectWithinMs: number
  /** how --expect-within was chosen */
  expectWithinFrom: string
  /** master changes that started after the command started, with their stages */
  stages: {vrid: number, family: string, fromIp: string, toIp: string, sinceCommandMs: number, takeoverMs: number, limitMs: number,
    announceMs: number | null, resumeMs: number | null, graceful: boolean}[]
  /** why the capture stopped: settled, limit, expect-within, duration, count, interrupted */
  stoppedBy: string
  error?: string
}

export const OUTPUT_LIMIT = 4096
/** after the last master change: keep capturing at most this long for announcements and resumed replies */
export const SETTLE_LIMIT_S = 10

function cut(s: string): string {
  return s.length > OUTPUT_LIMIT ? `${s.slice(0, OUTPUT_LIMIT)}… [${s.length - OUTPUT_LIMIT} more characters cut]` : s
}

export interface RunningCommand {
  startedS: number
  startedAt: string
  done: Promise<void>
  result: {exitCode: number | null, signal: string | null, stdout: string, stderr: string, endedS: number | null, error?: string}
  /** kill the command's process group if it still runs */
  stop(): void
}

/** Runs `sh -c CMD` in its own process group; output is collected (bounded), nothing is inherited. */
export function runCommand(command: string, clock: {now(): {sec: number, nsec: number}}): RunningCommand {
  const t = clock.now()
  const startedS = t.sec + t.nsec * 1e-9
  const result: RunningCommand['result'] = {exitCode: null, signal: null, stdout: '', stderr: '', endedS: null}
  const child = spawn('sh', ['-c', command], {stdio: ['ignore', 'pipe', 'pipe'], detached: true})
  const keep = (which: 'stdout' | 'stderr') => (b: Buffer) => {
    if (result[which].length <= OUTPUT_LIMIT * 2) result[which] += b.toString('utf8')
  }
  child.stdout.on('data', keep('stdout'))
  child.stderr.on('data', keep('stderr'))
  const done = new Promise<void>((resolve) => {
    child.on('error', (error) => { result.error = error.message; const e = clock.now(); result.endedS = e.sec + e.nsec * 1e-9; resolve() })
    child.on('close', (code, signal) => {
      const e = clock.now()
      result.endedS = e.sec + e.nsec * 1e-9
      result.exitCode = code
      result.signal = signal
      resolve()
    })
  })
  return {
    startedS, startedAt: isoTime({tsSec: t.sec, tsNsec: t.nsec, tsDigits: 6}), done, result,
    stop() {
      if (result.endedS === null && child.pid) { try { process.kill(-child.pid, 'SIGTERM') } catch { /* gone */ } }
    },
  }
}

/** The current master tenure of every VRID/family at every capture point. */
export function currentMasters(k: Knowledge): Tenure[] {
  const out: Tenure[] = []
  for (const list of k.tenures.values()) {
    const live = list.filter((t) => t.first !== t.resigned && !t.resigned)
    const t = live.reduce<Tenure | null>((a, b) => (!a || secondsOf(b.last) > secondsOf(a.last) ? b : a), null)
    if (t) out.push(t)
  }
  return out
}

/**
 * Default --expect-within: the largest Master_Down_Interval among the current masters' VRIDs,
 * taking the slowest possible backup (priority 1, the largest skew), plus the tolerance.
 * Without any advert: a 1 s interval is assumed (keepalived's default advert_int).
 */
export function defaultExpectWithinS(k: Knowledge): {s: number, from: string} {
  const {tolerancePct, toleranceMs} = k.options
  let bound = 0
  let from = ''
  for (const t of currentMasters(k)) {
    const iv = t.intervalCs / 100
    const b = 3 * iv + skewS(t.version, 1, iv)
    if (b > bound) { bound = b; from = `VRID ${t.vrid} (${t.family}) advert interval ${iv} s, VRRPv${t.version}` }
  }
  if (bound === 0) { bound = 3 + skewS(2, 1, 1); from = 'no advert seen in the baseline: 1 s interval assumed' }
  return {s: bound * (1 + tolerancePct / 100) + toleranceMs / 1000, from: `Master_Down_Interval ${round1(bound * 1000)} ms (${from}, slowest backup) + tolerance`}
}

/** The advert interval to base the default baseline on (largest current master interval), or null. */
export function baselineIntervalS(k: Knowledge): number | null {
  const ms = currentMasters(k).map((t) => t.intervalCs / 100)
  return ms.length ? Math.max(...ms) : null
}

/** Add the command, its stages and — when nothing changed master in time — `no-takeover` to the report. */
export function applyTrigger(report: Report, k: Knowledge, cmd: RunningCommand, info: {command: string, baselineS: number, expectWithinS: number,
  expectWithinFrom: string, stoppedBy: string}): void {
  const res = cmd.result
  const failover = report.checks.find((c) => c.name === 'failover')
  const after = (failover?.transitions ?? []).filter((t) => Date.parse(t.at) / 1000 >= cmd.startedS - 0.001)
  const stages = after.map((t) => ({
    vrid: t.vrid, family: t.family, fromIp: t.fromIp, toIp: t.toIp,
    sinceCommandMs: round1((Date.parse(t.at) / 1000 - cmd.startedS) * 1000), takeoverMs: t.takeoverMs, limitMs: t.limitMs,
    announceMs: t.announceMs, resumeMs: t.resumeMs, graceful: t.graceful,
  }))
  const tr: TriggerReport = {
    command: info.command, exitCode: res.exitCode, signal: res.signal, stdout: cut(res.stdout), stderr: cut(res.stderr),
    startedAt: cmd.startedAt, durationMs: res.endedS === null ? -1 : round1((res.endedS - cmd.startedS) * 1000),
    baselineMs: round1(info.baselineS * 1000), expectWithinMs: round1(info.expectWithinS * 1000), expectWithinFrom: info.expectWithinFrom,
    stages, stoppedBy: info.stoppedBy,
  }
  if (res.error) tr.error = res.error
  report.trigger = tr
  if (!failover) return
  const status = res.error ? `could not run (${res.error})` : res.endedS === null ? 'was still running when the capture ended (stopped)'
    : res.signal ? `was killed by ${res.signal}` : `exited with status ${res.exitCode}`
  const info1: Finding = {kind: 'trigger', severity: 'info', time: cmd.startedAt,
    message: `ran \`${info.command}\` at ${cmd.startedAt} after a ${round1(info.baselineS)} s baseline; it ${status} after ${tr.durationMs < 0 ? '?' : tr.durationMs} ms`}
  failover.findings.push(info1)
  const end = res.endedS ?? cmd.startedS
  const inTime = after.filter((t) => Date.parse(t.at) / 1000 <= end + info.expectWithinS + 0.001)
  if (inTime.length === 0) {
    const masters = currentMasters(k).map((t) => `${t.srcIp} (VRID ${t.vrid} ${t.family})`).join(', ') || 'none seen'
    failover.findings.push({kind: 'no-takeover', severity: 'fail', time: cmd.startedAt,
      message: `no master change within --expect-within ${round1(info.expectWithinS * 1000)} ms after \`${info.command}\` ${status}; master(s) at the end: ${masters}`})
    if (failover.verdict !== 'fail') failover.summary = `no takeover after the trigger; ${failover.summary}`
    failover.verdict = 'fail'
    delete failover.missing
  }
  report.verdict = combineVerdicts(report.checks.map((c) => c.verdict))
}
