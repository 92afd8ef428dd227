// Live capture run: open the interfaces, show a spinner with counters on a terminal, stop on
// --duration, --count or Ctrl-C, and judge what was seen.

import {buildFilter} from '../capture/bpf.js'
import {startLive} from '../capture/live.js'
import {PcapWriter} from '../capture/pcap-writer.js'
import type {PacketRecord} from '../capture/record.js'
import type {CheckOptions} from '../checks/context.js'
import type {CheckName} from '../checks/types.js'
import {Analysis, type Report} from './analyze.js'

export interface LiveOptions {
  durationS?: number
  count?: number
  write?: string
  json: boolean
}

function writePathFor(base: string, iface: string, several: boolean): string {
  if (!several) return base
  const dot = base.lastIndexOf('.')
  return dot > 0 ? `${base.slice(0, dot)}.${iface}${base.slice(dot)}` : `${base}.${iface}`
}

export async function captureLive(ifaces: string[], options: CheckOptions, checks: CheckName[], lo: LiveOptions): Promise<Report> {
  const a = new Analysis(options, checks)
  for (const name of ifaces) a.addInput(name, 'interface')
  const writers: (PcapWriter | null)[] = ifaces.map(() => null)
  let total = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => { done = resolve })
  const live = startLive(ifaces, buildFilter(options.vips), 0, (rec: PacketRecord) => {
    if (lo.write) {
      let w = writers[rec.input]
      if (!w) w = writers[rec.input] = new PcapWriter(writePathFor(lo.write, ifaces[rec.input], ifaces.length > 1), rec.linkType)
      w.write(rec)
    }
    a.onRecord(rec)
    if (lo.count && ++total >= lo.count) done()
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
  const timer = lo.durationS ? setTimeout(done, lo.durationS * 1000) : null
  const onSig = () => done()
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
  live.stop()
  if (timer) clearTimeout(timer)
  if (ticker) clearInterval(ticker)
  spinner?.stop()
  process.removeListener('SIGINT', onSig)
  process.removeListener('SIGTERM', onSig)
  for (const w of writers) w?.close()
  if (lo.write) ifaces.forEach((name, i) => { if (writers[i]) process.stderr.write(`drcheck: saved ${a.inputs[i].packets} packet(s) from ${name} to ${writePathFor(lo.write!, name, ifaces.length > 1)}\n`) })
  ifaces.forEach((_, i) => a.endInput(i))
  return a.finish()
}
