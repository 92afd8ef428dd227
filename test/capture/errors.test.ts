// Files that cannot be read (errors) and files that end early (truncated, not an error).

import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile, type FileReadResult} from '../../src/capture/file.js'
import {CaptureFileError} from '../../src/lib/errors.js'
import {concat, epb, idb, pattern, pcapHeader, pcapRecord, shb, tmp, tmpFile} from './builders.js'

const fixtures = join(import.meta.dirname, '../../fixtures/public')
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, name)))

function readAll(path: string, opts?: {maxRecord?: number}): {res: FileReadResult; frames: number[]} {
  const frames: number[] = []
  const res = readCaptureFile(path, 0, (r) => frames.push(r.frame), opts)
  return {res, frames}
}

function errorOf(path: string, opts?: {maxRecord?: number}): CaptureFileError {
  try {
    readAll(path, opts)
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureFileError)
    const err = e as CaptureFileError
    expect(err.file).toBe(path)
    expect(err.message.startsWith(`${path}: `)).toBe(true)
    expect(err.message).not.toContain('\n')
    return err
  }
  throw new Error(`${path}: no error`)
}

describe('unreadable files throw one-line CaptureFileErrors', () => {
  it('missing file', () => {
    expect(errorOf(join(tmp, 'does-not-exist.pcap')).message).toMatch(/: no such file$/)
  })

  it('directory', () => {
    const d = join(tmp, 'a-directory.pcap')
    mkdirSync(d)
    expect(errorOf(d).message).toMatch(/is a directory/)
  })

  it('empty file', () => {
    expect(errorOf(tmpFile(new Uint8Array(0))).message).toMatch(/is empty \(0 bytes\)/)
  })

  it('3 random bytes: not a capture, and says what they were', () => {
    expect(errorOf(tmpFile(Uint8Array.of(0x12, 0x34, 0x56))).message).toMatch(/not a pcap or pcapng file: only 3 byte\(s\) \(12 34 56\)/)
  })

  it('3 bytes that start a pcap magic: header cut short', () => {
    expect(errorOf(tmpFile(Uint8Array.of(0xd4, 0xc3, 0xb2))).message).toMatch(/file header cut short: only 3 byte\(s\)/)
  })

  it('a text file: not a capture, first bytes shown', () => {
    const m = errorOf(tmpFile(new TextEncoder().encode('hello, world\n'))).message
    expect(m).toMatch(/not a pcap or pcapng file \(starts with 68 65 6c 6c 6f 2c 20 77\)/)
  })

  it('a gzip-compressed capture gets a hint', () => {
    expect(errorOf(tmpFile(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0))).message).toMatch(/gzip-compressed .*gunzip it first/)
  })

  it('pcap file header cut short', () => {
    expect(errorOf(tmpFile(fixture('packetlife-vrrp-failover.cap').subarray(0, 10))).message).toMatch(/pcap file header cut short: 10 of 24 bytes/)
  })

  it('unsupported pcap version', () => {
    expect(errorOf(tmpFile(pcapHeader({major: 3, minor: 1}))).message).toMatch(/unsupported pcap version 3\.1/)
  })

  it('a first record claiming 1 GiB: nothing to judge, an error naming the offset', () => {
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(60), {inclLen: 1 << 30})))
    expect(errorOf(f).message).toMatch(/corrupt at byte offset 24 before any complete frame: record 1 claims 1073741824 captured bytes, over the 268435456-byte limit/)
  })

  it('a later record claiming 1 GiB: corrupt there, the frames before it are read', () => {
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(60)), pcapRecord(2, 0, pattern(60), {inclLen: 1 << 30}), pcapRecord(3, 0, pattern(60))))
    const {res, frames} = readAll(f)
    expect(frames).toEqual([1])
    expect(res.truncated).toBeNull()
    expect(res.corrupt).toEqual({offset: 100, message: 'record 2 claims 1073741824 captured bytes, over the 268435456-byte limit'})
  })

  it('a record longer than the file, before any frame: cut short, an error', () => {
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(60), {inclLen: 5000, origLen: 5000})))
    expect(errorOf(f).message).toMatch(/cut short at byte offset 24 before any complete frame: file ends inside record 1: it needs 5016 bytes, 76 are left/)
  })

  it('a last record that claims more captured bytes than its frame had, or than any snaplen: damaged, not cut', () => {
    const ok = pcapRecord(1, 0, pattern(60))
    const f = tmpFile(concat(pcapHeader(), ok, pcapRecord(2, 0, pattern(60), {inclLen: 5000, origLen: 60})))
    const {res} = readAll(f)
    expect(res.packets).toBe(1)
    expect(res.truncated).toBeNull()
    expect(res.corrupt?.message).toMatch(/record 2 claims 5000 captured bytes \(of a 60-byte frame; snaplen 65535\) and runs past the end of the file: damaged, not cut/)
    // text appended to a capture: its "length" is far beyond any snaplen
    const g = tmpFile(concat(pcapHeader(), ok, new TextEncoder().encode('hello world\n'.repeat(10))))
    expect(readAll(g).res.corrupt?.offset).toBe(24 + 76)
  })

  it('a record in the middle with more captured bytes than the frame had: read on, flagged suspect', () => {
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(60)), pcapRecord(2, 0, pattern(60), {origLen: 40}), pcapRecord(3, 0, pattern(60))))
    const {res} = readAll(f)
    expect(res.packets).toBe(3)
    expect(res.corrupt).toBeNull()
    expect(res.suspect).toEqual({offset: 24 + 76, message: expect.stringMatching(/record 2 claims 60 captured bytes of a 40-byte frame/)})
  })

  it('maxRecord lowers the limit', () => {
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(100))))
    expect(errorOf(f, {maxRecord: 99}).message).toMatch(/claims 100 captured bytes, over the 99-byte limit/)
    expect(readAll(f, {maxRecord: 100}).res.packets).toBe(1)
  })

  it('pcapng section header cut short', () => {
    expect(errorOf(tmpFile(fixture('ndpi-vrrp3-ipv6-vlan.pcapng').subarray(0, 10))).message).toMatch(/pcapng section header cut short: 10 bytes/)
    expect(errorOf(tmpFile(shb().subarray(0, 20))).message).toMatch(/pcapng section header cut short or corrupt/)
  })

  it('pcapng with an unknown version or a bad byte-order magic', () => {
    expect(errorOf(tmpFile(shb(true, 2, 0))).message).toMatch(/unsupported pcapng version 2\.0/)
    const bad = shb()
    bad.set([1, 2, 3, 4], 8)
    expect(errorOf(tmpFile(bad)).message).toMatch(/bad byte-order magic 04030201/)
  })

  it('Kuznetzov pcap is named', () => {
    const h = pcapHeader()
    new DataView(h.buffer).setUint32(0, 0xa1b2cd34, true)
    expect(errorOf(tmpFile(h)).message).toMatch(/modified \("Kuznetzov"\) pcap format is not supported/)
  })
})

describe('empty but valid files', () => {
  it('a header-only pcap: 0 packets, no error, its link type listed', () => {
    const {res} = readAll(tmpFile(pcapHeader({le: false, linkType: 113})))
    expect(res).toEqual({packets: 0, linkTypes: [113], format: 'pcap', warnings: [], truncated: null, corrupt: null})
  })

  it('a pcapng with only a section header and an interface', () => {
    const {res} = readAll(tmpFile(concat(shb(), idb(true, 1, 0))))
    expect(res).toEqual({packets: 0, linkTypes: [], format: 'pcapng', warnings: [], truncated: null, corrupt: null})
  })
})

describe('files cut inside a record deliver every complete frame', () => {
  // Record boundaries from tshark's cap_len column, not from the reader.
  const name = 'packetlife-vrrp-failover.cap'
  const capLens = readFileSync(join(fixtures, 'tshark', `${name}.tsv`), 'utf8').split('\n').slice(2).filter(Boolean).map((l) => Number(l.split('\t')[3]))
  const starts: number[] = []
  let off = 24
  for (const c of capLens) {
    starts.push(off)
    off += 16 + c
  }
  const whole = fixture(name)
  expect(off).toBe(whole.length)

  it.each([
    ['inside the first record header', starts[0]! + 5],
    ['inside the data of record 1', starts[0]! + 16 + 3],
  ])('cut %s: no complete frame, an error naming the offset', (_what, cut) => {
    expect(errorOf(tmpFile(whole.subarray(0, cut), 'cut.pcap')).message).toMatch(/cut short at byte offset 24 before any complete frame: file ends inside (the header of )?record 1/)
  })

  it.each([
    ['inside the header of record 13', starts[12]! + 15],
    ['inside the data of record 20', starts[19]! + 17],
    ['one byte short of the end', whole.length - 1],
  ])('cut %s', (_what, cut) => {
    const complete = starts.filter((s, i) => s + 16 + capLens[i]! <= cut).length
    const {res, frames} = readAll(tmpFile(whole.subarray(0, cut), 'cut.pcap'))
    expect(res.packets).toBe(complete)
    expect(frames).toEqual(Array.from({length: complete}, (_, i) => i + 1))
    expect(res.truncated?.offset).toBe(starts[complete])
    expect(res.truncated?.message).toMatch(new RegExp(`record ${complete + 1}`))
  })

  it('a cut exactly between records is a normal end', () => {
    const {res} = readAll(tmpFile(whole.subarray(0, starts[7]!)))
    expect(res).toMatchObject({packets: 7, truncated: null})
  })

  it('a pcapng cut inside a packet block stops at that block', () => {
    // test006: SHB 28 B, IDB 20 B + 20 B, then EPBs; walk the block lengths (LE file).
    const ng = fixture('pcapng-testgen-le-basic-test006-two-linktypes.pcapng')
    const dv = new DataView(ng.buffer)
    const epbStarts: number[] = []
    for (let o = 0; o < ng.length; o += dv.getUint32(o + 4, true)) if (dv.getUint32(o, true) === 6) epbStarts.push(o)
    expect(epbStarts.length).toBe(5)
    for (const [k, cut] of [[2, epbStarts[2]! + 30], [4, epbStarts[4]! + 4]] as const) {
      const {res} = readAll(tmpFile(ng.subarray(0, cut)))
      expect(res.packets).toBe(k)
      expect(res.truncated?.offset).toBe(epbStarts[k])
      expect(res.corrupt).toBeNull()
    }
    expect(errorOf(tmpFile(ng.subarray(0, epbStarts[0]! + 7))).message).toMatch(new RegExp(`cut short at byte offset ${epbStarts[0]} before any complete frame`))
  })
})

describe('corrupt pcapng blocks stop the read where they are (corrupt, not cut: the frames before are kept)', () => {
  const data = pattern(60)
  const head = concat(shb(), idb(true, 1, 0))
  const good = epb(true, 0, 1_000_000n, data)
  const bad = (mutate: (b: Uint8Array, v: DataView) => void): Uint8Array => {
    const b = epb(true, 0, 2_000_000n, data)
    mutate(b, new DataView(b.buffer))
    return b
  }
  const expectStop = (file: Uint8Array, message: RegExp): void => {
    const {res} = readAll(tmpFile(file))
    expect(res.packets).toBe(1)
    expect(res.truncated).toBeNull()
    expect(res.corrupt?.offset).toBe(head.length + good.length)
    expect(res.corrupt?.message).toMatch(message)
  }

  it('garbage length far beyond the file and over the limit', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(4, 0xfffffff0, true)), good), /file ends inside a block of 4294967280 bytes/)
  })

  it('block length 0', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(4, 0, true)), good), /impossible block length 0/)
  })

  it('a packet block before any interface description (second section)', () => {
    const {res} = readAll(tmpFile(concat(head, good, shb(), epb(true, 0, 1n, data))))
    expect(res.packets).toBe(1)
    expect(res.corrupt?.offset).toBe(head.length + good.length + shb().length)
    expect(res.corrupt?.message).toMatch(/packet on interface 0, but the section has 0 interface/)
  })

  it('a plausible length beyond the end of the file is a cut, not damage', () => {
    const {res} = readAll(tmpFile(concat(head, good, bad(() => {}).subarray(0, 40))))
    expect(res.packets).toBe(1)
    expect(res.corrupt).toBeNull()
    expect(res.truncated).toMatchObject({offset: head.length + good.length, message: expect.stringMatching(/file ends inside a block of 92 bytes/)})
  })

  it('length not a multiple of 4, or below 12', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(4, 13, true)), good), /impossible block length 13/)
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(4, 8, true)), good), /impossible block length 8/)
  })

  it('the two length fields disagree', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(4, 40, true)), good), /two length fields disagree \(40 and/)
  })

  it('captured length larger than the block', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(20, 61 + 4, true)), good), /claims 65 captured bytes but holds at most 60/)
  })

  it('packet on an interface that was never described', () => {
    expectStop(concat(head, good, bad((_b, v) => v.setUint32(8, 5, true)), good), /packet on interface 5, but the section has 1 interface/)
  })
})

describe('lengths read from the file are checked before anything is allocated', () => {
  const corpus = join(import.meta.dirname, '../../fixtures/corpus/generated')
  it.each([
    'pcap-incl-256MiB-exactly-beyond-file.pcap', 'pcap-incl-256MiB-plus-1.pcap', 'pcap-incl-4GiB.pcap',
    'pcapng-block-length-huge.pcapng', 'pcapng-caplen-4GiB.pcapng', 'pcapng-spb-orig-huge.pcapng',
  ])('%s: the read buffer stays small (no allocation by the claimed length)', (name) => {
    const before = process.memoryUsage().arrayBuffers
    const {res} = readAll(join(corpus, name))
    const grown = process.memoryUsage().arrayBuffers - before
    expect(res.packets).toBeGreaterThan(0)
    expect(grown).toBeLessThan(16 * 2 ** 20)
  })
})
