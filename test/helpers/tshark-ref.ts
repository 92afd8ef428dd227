// Reads the tshark reference TSVs written by scripts/tshark-decode-refs.sh
// (header line of field names; multiple occurrences joined with ',').

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'public')
export const LAB = join(import.meta.dirname, '..', '..', 'fixtures', 'lab')

const isCapture = (f: string): boolean => /\.(pcap|cap|pcapng)$/.test(f)

/** Every capture with tshark references: all of fixtures/public and every fixtures/lab/<scenario>/ capture. */
export function allCaptures(): {name: string, path: string, refDir: string}[] {
  const pub = readdirSync(FIXTURES).filter(isCapture).sort()
    .map((f) => ({name: f, path: join(FIXTURES, f), refDir: join(FIXTURES, 'tshark')}))
  const lab = readdirSync(LAB, {withFileTypes: true}).filter((d) => d.isDirectory() && d.name !== 'tshark').map((d) => d.name).sort()
    .flatMap((s) => readdirSync(join(LAB, s)).filter(isCapture).sort()
      .map((f) => ({name: `lab/${s}/${f}`, path: join(LAB, s, f), refDir: join(LAB, 'tshark', s)})))
  return [...pub, ...lab]
}

export type Row = Record<string, string>

/** Rows of fixtures/public/tshark/<capture>.<what>.tsv; [] when tshark found nothing (no file). */
export function tsharkRows(capture: string, what: string, refDir = join(FIXTURES, 'tshark')): Row[] {
  const f = join(refDir, `${capture.replace(/^.*\//, '')}.${what}.tsv`)
  if (!existsSync(f)) return []
  const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l.length > 0)
  const head = lines[0]!.split('\t')
  return lines.slice(1).map((l) => {
    const cells = l.split('\t')
    const r: Row = {}
    head.forEach((h, i) => { r[h] = cells[i] ?? '' })
    return r
  })
}

/** All occurrences of a field ('' → []). */
export function all(r: Row, field: string): string[] {
  const v = r[field] ?? ''
  return v === '' ? [] : v.split(',')
}

/** The first occurrence ('' when absent). */
export function first(r: Row, field: string): string {
  return all(r, field)[0] ?? ''
}

/** The first occurrence as a number (decimal or 0x hex); NaN when absent. */
export function num(r: Row, field: string): number {
  const v = first(r, field)
  return v === '' ? Number.NaN : Number(v)
}
