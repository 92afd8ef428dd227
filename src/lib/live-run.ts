// Live capture run: open the interfaces, show a spinner with counters on a terminal, stop on
// --duration, --count or Ctrl-C, and judge what was seen.

import {buildFilter} from '../capture/bpf.js'
import {startLive} from '../capture/live.js'
import {DrcheckError} from './errors.js'
import {PcapWriter} from '../capture/pcap-writer.js'
import type {PacketRecord} from '../capture/record.js'
import type {CheckOptions} from '../checks/context.js'
import type {CheckName} from '../checks/types.js'
import {Analysis, type Report} from './analyze.js'
import type {Prober, ProbeSettings} from '../capture/probe.js'
import {applyTrigger, baselineIntervalS, currentMasters, defaultExpectWithinS, runCommand, SETTLE_LIMIT_S, type RunningCommand} from './trigger.js'

export interface LiveOptions {
  durationS?: number
  count?: number
  write?: string
  json: boolean
  /** --probe: ARP/NS and DR path SYN probes (src/capture/probe.ts) */
  probe?: ProbeSettings
  /** --trigger: a command run after a baseline (src/lib/trigger.ts) */
  trigger?: {command: string, baselineS?: number, expectWithinS?: number}
}

/** --probe waits this long at most for the VIPs and the first VRRP advert before it asks. */
const PROBE_WAIT_S = 3

function writePathFor(base: string, iface: string, several: boolean): string {
  if (!several) return base
  const dot = base.lastIndexOf('.')
  return dot > 0 ? `${base.slice(0, dot)}.${iface}${base.slice(dot)}` : `${base}.${iface}`
}

export async function captureLive(ifaces: string[], options: CheckOptions, checks: CheckName[], lo: LiveOptions): Promise<Report> {
  // --probe's packet builders are loaded only for --probe (start-up); before the capture starts
  const ProberClass = lo.probe ? (await import('../capture/probe.js')).Prober : null
  const a = new Analysis(options, checks)
  for (const name of ifaces) a.addInput(name, 'interface')
  const writers: (PcapWriter | null)[] = ifaces.map(() => null)
  let total = 0
  /** why the capture stopped (for --trigger's report): duration, count, interrupted, settled … */
  let stoppedBy = ''
  let captureError: string | null = null
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => { done = resolve })
  const live = startLive(ifaces, buildFilter(options.vips), 0, (rec: PacketRecord) => {
    if (lo.write) {
      let w = writers[rec.input]
      if (!w) w = writers[rec.input] = new PcapWriter(writePathFor(lo.write, ifaces[rec.input], ifaces.length > 1), rec.linkType)
      w.write(rec)
    }
    a.onRecord(rec)
    if (lo.count && ++total >= lo.count) { stoppedBy ||= 'count'; done() }
  }, (idx, message) => {
    // the interface went down (or libpcap failed): stop, and judge what was seen
    captureError ??= `interface ${ifaces[idx]}: capture stopped, the interface went down or was removed (${message})`
    a.inputs[idx]?.warnings.push(`${captureError}; only what came before was analysed`)
    stoppedBy ||= 'error'
    done()
  })
  // create the evidence files at once, so an empty capture still leaves a valid (empty) pcap
  if (lo.write) {
    try {
      ifaces.forEach((name, i) => {
        if (!writers[i] && live.linkTypes[i] !== undefined && live.linkTypes[i] >= 0) writers[i] = new PcapWriter(writePathFor(lo.write!, name, ifaces.length > 1), live.linkTypes[i])
      })
    } catch (error) {
      live.stop() // an open capture would keep the process alive
      throw error
    }
  }
  const started = Date.now()
  const stopBy = (why: string) => () => { stoppedBy ||= why; done() }
  // with --probe or --trigger the run ends by itself; --duration is then an upper limit
  const timer = lo.durationS ? setTimeout(stopBy('duration'), lo.durationS * 1000) : null
  let ended = false
  void finished.then(() => { ended = true })
  const prober = lo.probe && ProberClass ? new ProberClass(a.k, ifaces, (i, f) => live.send(i, f), live.clock, lo.probe) : null
  if (prober) a.observers.push(prober.onEvent)
  const active = activeRun(a, live.clock, prober, lo, () => ended)
  const driver = (prober || lo.trigger) ? active.run().then((why) => stopBy(why)(), (error: unknown) => { active.error = error; stopBy('error')() }) : null
  const onSig = stopBy('interrupted')
  process.once('SIGINT', onSig)
  process.once('SIGTERM', onSig)
  let spinner: {text: string, stop(): void} | null = null
  let ticker: NodeJS.Timeout | null = null
  if (process.stderr.isTTY && !lo.json) {
    const {default: ora} = await import('ora')
    const sp = ora({stream: process.stderr, text: 'starting capture'}).start()
    spinner = sp
    ticker = setInterval(() => {
      const el = (Date.now() - started) / 1000
      const left = lo.durationS ? `, ${Math.max(0, lo.durationS - el).toFixed(0)} s left` : ', Ctrl-C to stop'
      sp.text = `capturing on ${ifaces.join(', ')}: ${a.packets} packets${lo.count ? ` of ${lo.count}` : ''}${left}`
    }, 200)
  }
  await finished
  // libpcap's counters before the handles close: did the kernel drop what the filter passed?
  const kernel = live.stats()
  live.stop()
  if (timer) clearTimeout(timer)
  if (ticker) clearInterval(ticker)
  spinner?.stop()
  process.removeListener('SIGINT', onSig)
  process.removeListener('SIGTERM', onSig)
  active.cmd?.stop()
  if (active.cmd) await Promise.race([active.cmd.done, new Promise((r) => setTimeout(r, 1000))])
  void driver
  for (const w of writers) w?.close()
  if (lo.write) ifaces.forEach((name, i) => { if (writers[i]) process.stderr.write(`drcheck: saved ${a.inputs[i].packets} packet(s) from ${name} to ${writePathFor(lo.write!, name, ifaces.length > 1)}\n`) })
  kernel.forEach((s, i) => { if (s) a.inputs[i].kernel = {received: s.recv, dropped: s.drop, ifDropped: s.ifdrop} })
  ifaces.forEach((_, i) => a.endInput(i))
  if (active.error) throw active.error
  const report = a.finish()
  if (captureError) {
    // nothing could be judged: an error (exit 3), not an inconclusive verdict; otherwise the
    // report says the capture is partial (input warning)
    if (report.verdict === 'inconclusive') throw new DrcheckError(`${captureError}; nothing could be judged`)
    process.stderr.write(`drcheck: ${captureError}\n`)
  }
  if (live.kernelTimestamps) for (const inp of report.inputs) inp.timestamps = 'kernel'
  else for (const inp of report.inputs) inp.timestamps = 'event-loop'
  if (prober) prober.judge(report)
  if (lo.trigger && active.cmd) {
    applyTrigger(report, a.k, active.cmd, {command: lo.trigger.command, baselineS: active.baselineS, expectWithinS: active.expectWithinS,
      expectWithinFrom: active.expectWithinFrom, stoppedBy})
  } else if (lo.trigger) {
    report.notes.push({kind: 'trigger', severity: 'warn', message: `the capture ended (${stoppedBy || 'stopped'}) during the baseline: \`${lo.trigger.command}\` was not run`})
  }
  return report
}

/** The active part of a live run: probes, then the trigger; resolves with why the capture should stop. */
function activeRun(a: Analysis, clock: {now(): {sec: number, nsec: number}}, prober: Prober | null, lo: LiveOptions, isEnded: () => boolean) {
  const nowS = () => { const t = clock.now(); return t.sec + t.nsec * 1e-9 }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  /** poll until cond() or the deadline (capture clock); false when the capture ended first */
  const waitUntil = async (cond: () => boolean, deadlineS: number): Promise<boolean> => {
    while (!isEnded() && nowS() < deadlineS) {
      if (cond()) return true
      await sleep(25)
    }
    return cond()
  }
  const st = {
    cmd: null as RunningCommand | null, baselineS: 0, expectWithinS: 0, expectWithinFrom: '', error: null as unknown,
    async run(): Promise<string> {
      const t0 = nowS()
      if (prober) {
        // the VIPs (learnt from adverts unless --vip) and the VRRP master must be known when the answers come
        await waitUntil(() => a.k.vips.size > 0 && [...a.k.vips].every((v) => a.k.hasVrrpFor(v)), t0 + PROBE_WAIT_S)
        if (isEnded()) return 'interrupted'
        const vips = [...a.k.vips]
        if (vips.length === 0) prober.note(`no VIP known (no --vip, no VRRP advert within ${PROBE_WAIT_S} s): nothing was probed`)
        else {
          prober.sendNeighbourProbes(vips)
          // the ARP/NS answers name the proxies that are not known yet
          await waitUntil(() => false, nowS() + 0.5)
          if (!isEnded()) prober.sendSynProbes(vips)
        }
        await waitUntil(() => false, prober.endS)
        if (!lo.trigger) return 'probe-window'
      }
      const trig = lo.trigger!
      const tb = nowS()
      if (trig.baselineS !== undefined) st.baselineS = trig.baselineS
      else {
        // default: 3 advert intervals of the current master (waiting up to 10 s for its first advert)
        await waitUntil(() => baselineIntervalS(a.k) !== null, tb + 10)
        st.baselineS = 3 * (baselineIntervalS(a.k) ?? 1)
      }
      await waitUntil(() => false, tb + st.baselineS)
      if (isEnded()) return 'interrupted'
      st.baselineS = nowS() - tb
      const exp = trig.expectWithinS !== undefined ? {s: trig.expectWithinS, from: '--expect-within'} : defaultExpectWithinS(a.k)
      st.expectWithinS = exp.s
      st.expectWithinFrom = exp.from
      const keys = currentMasters(a.k).map((t) => `${t.input}/${t.vrid}/${t.family}`)
      const cmd = st.cmd = runCommand(trig.command, clock)
      await Promise.race([cmd.done, new Promise<void>((r) => { const iv = setInterval(() => { if (isEnded()) { clearInterval(iv); r() } }, 50); void cmd.done.then(() => clearInterval(iv)) })])
      if (isEnded()) return 'interrupted'
      const changes = () => a.failoverProgress().changes.filter((c) => c.startS >= cmd.startedS - 0.001)
      const everyVrid = () => {
        const seen = new Set(changes().map((c) => `${c.input}/${c.vrid}/${c.family}`))
        return keys.length > 0 ? keys.every((k) => seen.has(k)) : seen.size > 0
      }
      await waitUntil(everyVrid, (cmd.result.endedS ?? nowS()) + exp.s)
      const after = changes()
      if (after.length === 0) return 'expect-within'
      const replies = a.failoverProgress().vipReplies
      const settled = () => changes().every((c) => c.announced && (c.resumed || !replies.has(c.input)))
      const last = Math.max(...after.map((c) => c.startS))
      return (await waitUntil(settled, last + SETTLE_LIMIT_S)) ? 'settled' : isEnded() ? 'interrupted' : 'limit'
    },
  }
  return st
}
