// Reads the tshark reference TSVs written by scripts/tshark-decode-refs.sh
// (header line of field names; multiple occurrences joined with ',').

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'public')

export type Row = Record<string, string>

/** Rows of fixtures/public/tshark/<capture>.<what>.tsv; [] when tshark found nothing (no file). */
export function tsharkRows(capture: string, what: string): Row[] {
  const f = join(FIXTURES, 'tshark', `${capture}.${what}.tsv`)
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
