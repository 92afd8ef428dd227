#!/usr/bin/env node
// Mutation fuzzer for the capture readers, the decoders and the checks, in-process.
//
//   node scripts/fuzz.mjs --count 1000000 --seed 7 [--checks-every 10] [--save fixtures/corpus/crashes]
//
// Takes every capture in fixtures/public and fixtures/lab/*/ as seeds, mutates one (bit flips, byte
// insertions and deletions, truncations, splices of two files, boundary values written over 1/2/4
// bytes in either byte order: the length fields) and runs drcheck's reader (readCaptureBytes), the
// Dissector on every frame, and every Nth input the whole Analysis (checks + report). The only
// acceptable exception is a DrcheckError (a one-line "bad input"); anything else is a crash: the
// input is saved (--save DIR) and listed. An input that takes longer than --slow-ms is a hang.
// Prints mutations/s, crashes, hangs and peak RSS. Uses the built code (dist/: npm run build first);
// test/errors/fuzz.test.ts runs the same loop on the TypeScript sources with a fixed seed.

import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')

/** Every seed capture: fixtures/public/* and fixtures/lab/<scenario>/*. */
export function seedFiles(root = ROOT) {
  const isCap = (f) => /\.(pcap|cap|pcapng)$/.test(f)
  const pub = join(root, 'fixtures/public')
  const lab = join(root, 'fixtures/lab')
  const out = readdirSync(pub).filter(isCap).sort().map((f) => join(pub, f))
  for (const d of readdirSync(lab, {withFileTypes: true}).filter((e) => e.isDirectory() && e.name !== 'tshark').map((e) => e.name).sort()) {
    for (const f of readdirSync(join(lab, d)).filter(isCap).sort()) out.push(join(lab, d, f))
  }
  return out
}

/** mulberry32: small, fast, seedable */
export function rng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]}
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 15, 16, 20, 24, 28, 32, 40, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000,
  0xffff, 0x10000, 0xffffff, 0x7ffffff, 0x10000001, 0x10000000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff]

/** One mutated copy of `a` (b: a second seed for splices). Returns [bytes, description]. */
export function mutate(r, a, b) {
  let x = Uint8Array.from(a)
  const steps = 1 + r.int(4)
  const what = []
  for (let s = 0; s < steps; s++) {
    const kind = r.int(7)
    const n = x.length
    if (kind === 0 && n > 0) { // bit flips
      const k = 1 + r.int(8)
      for (let i = 0; i < k; i++) { const p = r.int(n); x[p] ^= 1 << r.int(8) }
      what.push(`flip${k}`)
    } else if (kind === 1) { // byte insertion
      const p = r.int(n + 1), k = 1 + r.int(16)
      const y = new Uint8Array(n + k)
      y.set(x.subarray(0, p)); for (let i = 0; i < k; i++) y[p + i] = r.int(256); y.set(x.subarray(p), p + k)
      x = y; what.push(`ins${k}@${p}`)
    } else if (kind === 2 && n > 1) { // deletion
      const p = r.int(n), k = 1 + r.int(Math.min(64, n - p))
      const y = new Uint8Array(n - k); y.set(x.subarray(0, p)); y.set(x.subarray(p + k), p)
      x = y; what.push(`del${k}@${p}`)
    } else if (kind === 3) { // truncation
      const p = r.int(n + 1); x = x.slice(0, p); what.push(`cut@${p}`)
    } else if (kind === 4) { // splice: a prefix of this, a suffix of the other
      const p = r.int(n + 1), q = r.int(b.length + 1)
      const y = new Uint8Array(p + b.length - q); y.set(x.subarray(0, p)); y.set(b.subarray(q), p)
      x = y; what.push(`splice@${p}/${q}`)
    } else if (n >= 4) { // a boundary value over 1, 2 or 4 bytes, either byte order (length fields)
      const width = r.pick([1, 2, 4, 4]), p = r.int(n - width + 1), le = r.next() < 0.5
      let v = r.pick(INTERESTING)
      if (r.next() < 0.3) v += r.pick([-1, 1])
      const dv = new DataView(x.buffer, x.byteOffset, x.byteLength)
      if (width === 1) dv.setUint8(p, v & 0xff)
      else if (width === 2) dv.setUint16(p, v & 0xffff, le)
      else dv.setUint32(p, v >>> 0, le)
      what.push(`set${width}${le ? 'le' : 'be'}@${p}=${v}`)
    }
  }
  return [x, what.join(',')]
}

/**
 * Runs `count` mutations. mods = {readCaptureBytes, Dissector, DrcheckError, Analysis, DEFAULT_OPTIONS, CHECK_NAMES}.
 * Returns {count, crashes: [{seed, name, what, error, bytes}], hangs, errors (one-line DrcheckErrors), frames, ms, peakRss}.
 */
export function fuzz(mods, {count, seed, seeds = seedFiles(), checksEvery = 10, slowMs = 2000, onCrash = () => {}, progress = null}) {
  const r = rng(seed)
  const files = seeds.map((p) => ({name: p.slice(ROOT.length + 1), bytes: new Uint8Array(readFileSync(p))}))
  const crashes = []
  const hangs = []
  let errors = 0, frames = 0, peakRss = process.memoryUsage().rss
  const t0 = performance.now()
  let nextReport = progress ?? Infinity
  for (let i = 0; i < count; i++) {
    const a = r.pick(files), b = r.pick(files)
    const [bytes, what] = mutate(r, a.bytes, b.bytes)
    const full = checksEvery > 0 && i % checksEvery === 0
    const start = performance.now()
    try {
      if (full) {
        const an = new mods.Analysis({...mods.DEFAULT_OPTIONS, vips: [], vipsLearnt: true, lbMacs: [], proxyMacs: []}, [...mods.CHECK_NAMES])
        const input = an.addInput('fuzz', 'file')
        const res = mods.readCaptureBytes(bytes, 'fuzz', input, (rec) => { frames++; an.onRecord(rec) })
        if (res.corrupt) an.inputs[input].corrupt = res.corrupt
        an.endInput(input)
        const report = an.finish()
        JSON.stringify(report)
      } else {
        const d = new mods.Dissector(() => {})
        mods.readCaptureBytes(bytes, 'fuzz', 0, (rec) => { frames++; d.dissect(rec) })
      }
    } catch (e) {
      if (e instanceof mods.DrcheckError && !String(e.message).includes('\n')) errors++
      else {
        const c = {iteration: i, name: a.name, what, error: (e && e.stack) || String(e), bytes}
        crashes.push(c)
        onCrash(c)
      }
    }
    const ms = performance.now() - start
    if (ms > slowMs) hangs.push({iteration: i, name: a.name, what, ms, bytes})
    if ((i & 1023) === 0) {
      const rss = process.memoryUsage().rss
      if (rss > peakRss) peakRss = rss
      if (i >= nextReport) {
        nextReport += progress
        const s = (performance.now() - t0) / 1000
        process.stderr.write(`${i} mutations, ${(i / s).toFixed(0)}/s, ${crashes.length} crashes, ${hangs.length} hangs, rss ${(rss / 2 ** 20).toFixed(0)} MiB\n`)
      }
    }
  }
  return {count, crashes, hangs, errors, frames, ms: performance.now() - t0, peakRss}
}

async function main() {
  const args = process.argv.slice(2)
  const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def }
  const count = Number(opt('--count', '20000'))
  const seed = Number(opt('--seed', '1'))
  const save = opt('--save', '')
  const checksEvery = Number(opt('--checks-every', '10'))
  const dist = join(ROOT, 'dist')
  const [file, dissect, errors, analyze, context, types] = await Promise.all([
    import(join(dist, 'capture/file.js')), import(join(dist, 'decode/dissect.js')), import(join(dist, 'lib/errors.js')),
    import(join(dist, 'lib/analyze.js')), import(join(dist, 'checks/context.js')), import(join(dist, 'checks/types.js')),
  ])
  const mods = {readCaptureBytes: file.readCaptureBytes, Dissector: dissect.Dissector, DrcheckError: errors.DrcheckError,
    Analysis: analyze.Analysis, DEFAULT_OPTIONS: context.DEFAULT_OPTIONS, CHECK_NAMES: types.CHECK_NAMES}
  const onCrash = (c) => {
    const hash = createHash('sha256').update(c.bytes).digest('hex').slice(0, 16)
    process.stderr.write(`CRASH #${c.iteration} (${c.name}: ${c.what}) ${hash}\n${c.error}\n`)
    if (save) {
      mkdirSync(save, {recursive: true})
      writeFileSync(join(save, `fuzz-${hash}.bin`), c.bytes)
      writeFileSync(join(save, `fuzz-${hash}.txt`), `seed ${seed} iteration ${c.iteration}\nfrom ${c.name}: ${c.what}\n${c.error}\n`)
    }
  }
  const res = fuzz(mods, {count, seed, checksEvery, onCrash, progress: count >= 100000 ? 100000 : null})
  const s = res.ms / 1000
  const maxRss = process.resourceUsage().maxRSS * 1024
  console.log(`seed ${seed}: ${res.count} mutations in ${s.toFixed(1)} s = ${(res.count / s).toFixed(0)} mutations/s; ` +
    `${res.frames} frames decoded; ${res.errors} one-line input errors; ${res.crashes.length} crashes; ${res.hangs.length} hangs (> 2 s); ` +
    `peak RSS ${(Math.max(res.peakRss, maxRss) / 2 ** 20).toFixed(0)} MiB`)
  process.exitCode = res.crashes.length || res.hangs.length ? 1 : 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
