// The read-ahead (src/capture/prefetch.ts) must only make reading faster: every record, every
// warning and every truncation report is the same as with plain reads, whatever the slot size.
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile, type ReadOptions} from '../../src/capture/file.js'
import {frameBytes} from '../../src/capture/record.js'
import {concat, pattern, pcapHeader, pcapRecord, tmpFile} from './builders.js'

const root = join(import.meta.dirname, '../..')

function digest(path: string, opts: ReadOptions) {
  const frames: string[] = []
  let res: ReturnType<typeof readCaptureFile> | string
  try {
    res = readCaptureFile(path, 0, (r) => {
      frames.push(`${r.frame} ${r.tsSec}.${r.tsNsec} ${r.capLen}/${r.origLen} ${r.linkType} ${r.iface} ${createHash('md5').update(frameBytes(r)).digest('hex')}`)
    }, opts)
  } catch (e) {
    res = (e as Error).message
  }
  return {frames, res}
}

const PLAIN: ReadOptions = {prefetchFrom: Infinity}
// slots smaller than a frame, leftovers longer than the room, and ordinary sizes
const SHAPES: [string, ReadOptions][] = [
  ['4 KiB slots, 2 KiB room', {prefetchFrom: 0, prefetchSlot: {bytes: 4096, room: 2048}}],
  ['1 KiB slots (frames span slots: plain reads take over)', {prefetchFrom: 0, prefetchSlot: {bytes: 1024, room: 2048}}],
  ['64 KiB slots, 256 B room (leftovers too long: plain reads take over)', {prefetchFrom: 0, prefetchSlot: {bytes: 65536, room: 256}}],
  ['default slots', {prefetchFrom: 0}],
]

describe('read-ahead gives exactly what plain reads give', () => {
  const lab = join(root, 'fixtures/lab')
  const files = readdirSync(lab).flatMap((d) => statSync(join(lab, d)).isDirectory() ? readdirSync(join(lab, d)).map((f) => join(lab, d, f)) : [])
    .filter((f) => /\.(pcap|pcapng)$/.test(f)).slice(0, 12)
  for (const [name, opts] of SHAPES) {
    it(`${name}: ${files.length} lab captures (pcap and pcapng)`, () => {
      for (const f of files) {
        const want = digest(f, PLAIN)
        expect(want.frames.length).toBeGreaterThan(10)
        expect(digest(f, opts), f).toEqual(want)
      }
    })
  }

  it('a file cut inside a record, and one with a record larger than any slot', () => {
    const recs = Array.from({length: 3000}, (_, i) => pcapRecord(1_700_000_000 + i, i, pattern(60 + (i * 37) % 1400, i)))
    const big = pcapRecord(1_700_000_000, 5, pattern(200_000, 9))
    const whole = concat(pcapHeader(), ...recs.slice(0, 1500), big, ...recs.slice(1500))
    for (const bytes of [whole, whole.subarray(0, whole.length - 700), whole.subarray(0, 24 + 16 + 10)]) {
      const f = tmpFile(bytes, 'cut.pcap')
      const want = digest(f, PLAIN)
      for (const [name, opts] of SHAPES) expect(digest(f, opts), `${name}, ${bytes.length} bytes`).toEqual(want)
    }
  })

  it('a file that shrinks while it is read: the same frames and report as plain reads, at once (the worker says it ended)', () => {
    const recs = Array.from({length: 20000}, (_, i) => pcapRecord(1_700_000_000 + i, i, pattern(60 + (i * 37) % 1400, i)))
    const bytes = concat(pcapHeader(), ...recs)
    const run = (opts: ReadOptions) => {
      const f = tmpFile(bytes, 'shrink.pcap')
      let frames = 0
      const t0 = Date.now()
      const res = readCaptureFile(f, 0, (r) => { if (++frames === 100) truncateSync(f, bytes.length >> 1) }, opts)
      return {frames, truncated: res.truncated !== null, corrupt: res.corrupt !== null, ms: Date.now() - t0}
    }
    const plain = run(PLAIN)
    const ahead = run({prefetchFrom: 0, prefetchSlot: {bytes: 65536, room: 4096}})
    expect(ahead.frames).toBeGreaterThan(100)
    expect(ahead.frames).toBeLessThan(20000)
    expect({...ahead, ms: 0}).toEqual({...plain, ms: 0})
    expect(ahead.ms).toBeLessThan(3000)
  })

  it('is used by default for files of 64 MiB and more, and DRCHECK_PREFETCH=0 turns it off (same records)', () => {
    const f = join(root, 'fixtures/lab/healthy/lan.pcapng')
    expect(statSync(f).size).toBeLessThan(64 * 1024 * 1024)
    const bytes = readFileSync(f)
    expect(digest(f, {}).frames.length).toBeGreaterThan(0)
    process.env.DRCHECK_PREFETCH = '0'
    try {
      expect(digest(f, {prefetchFrom: 0})).toEqual(digest(tmpFile(bytes, 'copy.pcapng'), PLAIN))
    } finally {
      delete process.env.DRCHECK_PREFETCH
    }
  })
})
