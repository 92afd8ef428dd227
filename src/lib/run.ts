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

/** VIPs named by the VRRP adverts in the files (a quick first pass, only when --vip is not given). */
export function learnVipsFromFiles(files: string[]): string[] {
  const vips = new Set<string>()
  const d = new Dissector((ev) => {
    if (ev.kind === 'vrrp' && ev.priority > 0) for (const a of ev.addrs) vips.add(a)
  })
  files.forEach((f, i) => readCaptureFile(f, i, (rec) => { if (mayBeVrrp(rec)) d.dissect(rec) }))
  return [...vips]
}

export function replayFiles(files: {path: string, label: string}[], options: CheckOptions, checks: CheckName[]): Report {
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
  return a.finish()
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
