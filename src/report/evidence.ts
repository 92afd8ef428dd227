// Evidence for failing checks: the frames their findings name, as a Wireshark display filter per
// input, and with `--evidence DIR` a small pcap per input holding only those frames plus the VRRP
// adverts and VIP claims (gratuitous ARP / NA) around each transition of a failing failover check.
//
// The pcaps are written by re-reading the input file (a live capture only when it was saved with
// -w), one pcap per input and link type (a pcap file has one link type). Frames keep their
// original bytes and timestamps; their numbers change in the small file, so the filter printed is
// for the ORIGINAL capture: `frame.number in {25, 31..40}` (Wireshark 3.6 and later).

import {mkdirSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {readCaptureFile} from '../capture/file.js'
import {PcapWriter} from '../capture/pcap-writer.js'
import {linkTypeName, type PacketRecord} from '../capture/record.js'
import {Dissector} from '../decode/dissect.js'
import type {Report} from '../lib/analyze.js'
import {DrcheckError} from '../lib/errors.js'

export interface EvidenceEntry {
  /** input label, as in the report */
  input: string
  /** frame numbers in the original input, ascending */
  frames: number[]
  /** Wireshark display filter for the original input */
  filter: string
  /** the small pcaps written (--evidence), one per link type */
  pcaps: {path: string, frames: number}[]
  /** why no pcap was written for this input */
  note?: string
}

/** frames around each transition beyond these are not added (the file stays small) */
const MAX_WINDOW_FRAMES = 200

/** `frame.number in {25, 31..40}`: commas (Wireshark 4 refuses spaces), consecutive runs as ranges. */
export function displayFilter(frames: number[]): string {
  const sorted = [...new Set(frames)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    parts.push(j - i >= 2 ? `${sorted[i]}..${sorted[j]}` : sorted.slice(i, j + 1).join(', '))
    i = j + 1
  }
  return `frame.number in {${parts.join(', ')}}`
}

interface Window { vrid: number, family: string, from: number, to: number }

/** The frames the findings of failing checks name, per input (no file is read). */
export function namedFrames(r: Report): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>()
  const add = (input: string | undefined, frame: number | undefined) => {
    if (input === undefined || frame === undefined) return
    let s = out.get(input)
    if (!s) out.set(input, (s = new Set()))
    s.add(frame)
  }
  for (const c of r.checks) {
    if (c.verdict !== 'fail') continue
    for (const f of c.findings) {
      if (f.severity === 'info') continue
      add(f.file ?? f.interface, f.frame)
      // the related frame may be another capture point's (multi-point findings name its file)
      add(f.relatedFile ?? f.file ?? f.interface, f.relatedFrame)
    }
    for (const t of c.transitions ?? []) { add(t.file, t.fromFrame); add(t.file, t.toFrame) }
  }
  return out
}

function windowsOf(r: Report, input: string): Window[] {
  const out: Window[] = []
  for (const c of r.checks) {
    if (c.verdict !== 'fail') continue
    for (const t of c.transitions ?? []) {
      if (t.file !== input) continue
      const to = Date.parse(t.at) / 1000
      if (!Number.isFinite(to)) continue
      const iv = (t.intervalMs || 1000) / 1000
      const from = to - t.takeoverMs / 1000
      out.push({vrid: t.vrid, family: t.family, from: from - 2 * iv - 0.01, to: to + 2 * iv + 1 + (t.announceMs ?? 0) / 1000})
    }
  }
  return out
}

function safeName(label: string): string {
  return label.replace(/[^\w.-]+/g, '_') || 'input'
}

/**
 * mkdir -p, one level at a time: node's mkdirSync({recursive: true}) loops for ever where the
 * parent exists but refuses a new entry with ENOENT (/proc/x: mkdir /proc/x ENOENT, mkdir /proc EEXIST).
 */
function makeDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return
    throw new Error('it exists and is not a directory')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  const parent = dirname(dir)
  if (parent !== dir) makeDir(parent)
  mkdirSync(dir)
}

/** Entries with filters only (the report without --evidence). */
export function evidenceFilters(r: Report): EvidenceEntry[] {
  return [...namedFrames(r)].map(([input, s]) => {
    const frames = [...s].sort((a, b) => a - b)
    return {input, frames, filter: displayFilter(frames), pcaps: []}
  })
}

/**
 * Writes the evidence pcaps into dir. `paths` maps an input label to the file to re-read (the
 * -r file, or the -w file of a live capture); inputs without one get a note.
 */
export function writeEvidence(r: Report, paths: Map<string, string>, dir: string): EvidenceEntry[] {
  const named = namedFrames(r)
  const entries: EvidenceEntry[] = []
  if (named.size === 0) return entries
  try {
    makeDir(dir)
  } catch (e) {
    throw new DrcheckError(`--evidence ${dir}: cannot create the directory: ${(e as Error).message}`)
  }
  for (const [input, set] of named) {
    const path = paths.get(input)
    if (!path) {
      const frames = [...set].sort((a, b) => a - b)
      entries.push({input, frames, filter: displayFilter(frames), pcaps: [], note: `${input} was captured live without -w: no file to take the frames from`})
      continue
    }
    // sorted by start, so each frame looks only at the windows around its time (a capture with
    // thousands of master changes made this a scan of all of them per frame)
    const windows = windowsOf(r, input).sort((a, b) => a.from - b.from)
    const longest = windows.reduce((m, w) => Math.max(m, w.to - w.from), 0)
    const vips = new Set(r.vips)
    const chosen = new Set(set)
    const inWindow = windows.map(() => 0)
    const writers = new Map<number, {w: PcapWriter, n: number}>()
    const several = new Set<number>()
    let wanted = false
    const d = new Dissector((ev) => {
      if (windows.length === 0) return
      const t = ev.tsSec + ev.tsNsec * 1e-9
      // the first window starting after t; the ones that can hold t start at most `longest` before it
      let lo = 0, hi = windows.length
      while (lo < hi) { const mid = (lo + hi) >> 1; if (windows[mid]!.from <= t) lo = mid + 1; else hi = mid }
      for (let i = lo - 1; i >= 0 && windows[i]!.from >= t - longest; i--) {
        const w = windows[i]!
        if (t > w.to || inWindow[i]! >= MAX_WINDOW_FRAMES) continue
        const hit = (ev.kind === 'vrrp' && ev.vrid === w.vrid && ev.family === w.family) ||
          (ev.kind === 'arp' && vips.has(ev.senderIp)) ||
          (ev.kind === 'nd' && ((ev.type === 136 && vips.has(ev.target)) || (ev.type === 135 && vips.has(ev.ipSrc))))
        if (hit) { inWindow[i]!++; wanted = true }
      }
    })
    const base = join(dir, `${safeName(input)}.evidence`)
    const fileFor = (lt: number) => (several.has(lt) ? `${base}.${linkTypeName(lt)}.pcap` : `${base}.pcap`)
    // one pass to learn the link types of the chosen frames is not needed: a second link type gets
    // its own file and the first keeps the plain name
    const write = (rec: PacketRecord) => {
      let e = writers.get(rec.linkType)
      if (!e) {
        if (writers.size > 0) several.add(rec.linkType)
        e = {w: new PcapWriter(fileFor(rec.linkType), rec.linkType), n: 0}
        writers.set(rec.linkType, e)
      }
      e.w.write(rec)
      e.n++
      chosen.add(rec.frame)
    }
    try {
      readCaptureFile(path, 0, (rec) => {
        wanted = false
        if (windows.length) d.dissect(rec)
        if (wanted || set.has(rec.frame)) write(rec)
      })
    } finally {
      for (const {w} of writers.values()) w.close()
    }
    const frames = [...chosen].sort((a, b) => a - b)
    entries.push({
      input, frames, filter: displayFilter(frames),
      pcaps: [...writers].map(([lt, e]) => ({path: fileFor(lt), frames: e.n})),
    })
  }
  return entries
}
