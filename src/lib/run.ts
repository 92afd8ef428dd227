// Running the checks over inputs: replayed files or live interfaces. No CLI here; the commands
// call these and print the Report.

import {readCaptureFile} from '../capture/file.js'
import {Dissector} from '../decode/dissect.js'
import {mayBeVrrp} from '../decode/prefilter.js'
import {newRecord, type PacketRecord} from '../capture/record.js'
import type {CheckOptions} from '../checks/context.js'
import type {CheckName, Verdict} from '../checks/types.js'
import {combineVerdicts} from '../checks/types.js'
import {Analysis, capForInputErrors, type Report} from './analyze.js'

/** How much of each file `learnVipsFromFiles` reads by default: adverts come every interval
 *  (1 s by default), so the first seconds of a capture usually name every VIP. */
export const VIP_PREFIX = {seconds: 10, frames: 1_000_000}

class PrefixRead extends Error {}

/**
 * VIPs named by the VRRP adverts (priority > 0) in the files, in the order first seen. With
 * `prefix`, only the start of each file is read: while its frames' timestamps are within
 * `seconds` (whole seconds) of its first frame's and at most `frames` frames.
 */
export function learnVipsFromFiles(files: string[], prefix?: {seconds: number, frames: number}): string[] {
  const vips = new Set<string>()
  const d = new Dissector((ev) => {
    if (ev.kind === 'vrrp' && ev.priority > 0) for (const a of ev.addrs) vips.add(a)
  })
  files.forEach((f, i) => {
    // (timestamps may be negative: a pcapng interface's if_tsoffset)
    let n = 0, t0 = 0
    const done = new PrefixRead()
    try {
      readCaptureFile(f, i, (rec) => {
        if (prefix) {
          if (n === 0) t0 = rec.tsSec
          if (++n > prefix.frames || rec.tsSec - t0 > prefix.seconds) throw done
        }
        if (mayBeVrrp(rec)) d.dissect(rec)
      }, prefix ? {prefetchFrom: Infinity} : {})
    } catch (error) {
      if (error !== done) throw error
    }
  })
  return [...vips]
}

/**
 * Replay the files through the checks. Without --vip the VIPs are those the files' adverts name
 * (the report says they were learnt): learnt from the start of each file, then checked against
 * every advert the full pass saw. Only when the full pass found another VIP (or the files name
 * them in another order) is it run again with the complete list, so the result is always that
 * of a run given every advertised VIP from the first frame, and one pass is the usual cost.
 */
export function replayFiles(files: {path: string, label: string}[], options: CheckOptions, checks: CheckName[], prefix = VIP_PREFIX): Report {
  if (!options.vipsLearnt) return replayOnce(files, options, checks).report
  options.vips = learnVipsFromFiles(files.map((f) => f.path), prefix)
  let first: ReturnType<typeof replayOnce> | null = replayOnce(files, options, checks)
  if (first.advertised.join(' ') === options.vips.join(' ')) return first.report
  options.vips = first.advertised
  first = null // the first run's report is garbage before the second run starts (peak memory)
  return replayOnce(files, options, checks).report
}

function replayOnce(files: {path: string, label: string}[], options: CheckOptions, checks: CheckName[]): {report: Report, advertised: string[]} {
  const a = new Analysis(options, checks)
  if (files.length > 1) a.enableMultiPoint()
  for (const f of files) {
    const input = a.addInput(f.label, 'file')
    const res = readCaptureFile(f.path, input, a.onRecord)
    for (const w of res.warnings) a.inputs[input].warnings.push(`${f.label}: ${w}`)
    if (res.truncated) {
      // pcapng's messages name the block's offset already
      const at = res.truncated.message.includes(`offset ${res.truncated.offset}`) ? '' : ` (byte offset ${res.truncated.offset})`
      a.inputs[input].warnings.push(`${f.label}: ${res.truncated.message}${at}; every complete frame before it was analysed`)
    }
    if (res.corrupt) a.inputs[input].corrupt = res.corrupt
    if (res.suspect) a.inputs[input].suspect = res.suspect
    a.inputs[input].format = res.format
    a.endInput(input)
  }
  return {report: a.finish(), advertised: [...a.advertisedVips]}
}

/** `--require CHECK`: an inconclusive required check counts as fail. */
export function applyRequire(r: Report, required: string[]): Report {
  if (required.length === 0) return r
  const all = required.includes('all')
  for (const c of r.checks) {
    if (c.verdict === 'inconclusive' && (all || required.includes(c.name))) {
      c.verdict = 'fail'
      c.summary = `required but inconclusive: ${c.summary}`
    }
  }
  r.verdict = capForInputErrors(combineVerdicts(r.checks.map((c) => c.verdict)) as Verdict, r.notes)
  return r
}

export type {PacketRecord}
export {newRecord}
