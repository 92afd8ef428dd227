// PcapWriter round trips (checked by our reader and by tshark), and streaming a file larger than
// the reader's 4 MiB chunk, with a record larger than the chunk.

import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {PcapWriter} from '../../src/capture/pcap-writer.js'
import {frameBytes, newRecord, setFrame, type PacketRecord} from '../../src/capture/record.js'
import {DrcheckError} from '../../src/lib/errors.js'
import {pattern, tmp} from './builders.js'

const fixtures = join(import.meta.dirname, '../../fixtures/public')
const TSHARK = '/usr/bin/tshark'
const hasTshark = existsSync(TSHARK)

type Copy = PacketRecord & {data: Uint8Array}

function readCopies(path: string): Copy[] {
  const out: Copy[] = []
  readCaptureFile(path, 0, (r) => out.push({...r, data: frameBytes(r).slice()}))
  return out
}

let n = 0
const outPath = (): string => join(tmp, `w${n++}.pcap`)

/** tshark's time/len/cap_len columns, for comparing an original and its rewrite */
function tsharkFrames(path: string): string {
  return execFileSync(TSHARK, ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.encap_type'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
}

describe('PcapWriter', () => {
  it.each(['tcpdump-tcp-handshake-nano-sll.pcap', 'tcpdump-pptp-big-endian.pcap', 'pcapplusplus-many-interfaces-1.pcapng'])(
    'round trip of %s: same frames back, LE ns file',
    (name) => {
      const src = join(fixtures, name)
      const orig = readCopies(src)
      const lt = orig[0]!.linkType
      const keep = orig.filter((r) => r.linkType === lt) // one link type per pcap
      const out = outPath()
      const w = new PcapWriter(out, lt)
      readCaptureFile(src, 0, (r) => {
        if (r.linkType === lt) w.write(r) // straight from the reused record
      })
      w.close()
      w.close() // idempotent
      const head = readFileSync(out).subarray(0, 24)
      expect(Array.from(head.subarray(0, 8))).toEqual([0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0])
      const back = readCopies(out)
      expect(back.length).toBe(keep.length)
      back.forEach((b, i) => {
        const o = keep[i]!
        expect([b.frame, b.tsSec, b.tsNsec, b.capLen, b.origLen, b.linkType, b.iface, b.tsDigits]).toEqual([i + 1, o.tsSec, o.tsNsec, o.capLen, o.origLen, lt, 0, 9])
        expect(b.data).toEqual(o.data)
      })
    },
  )

  it.skipIf(!hasTshark)('tshark reads the written file with the same times and lengths', () => {
    const src = join(fixtures, 'pcapplusplus-nanosecs-big-endian.pcap')
    const out = outPath()
    const w = new PcapWriter(out, 1)
    readCaptureFile(src, 0, (r) => w.write(r))
    w.close()
    const a = tsharkFrames(src)
    expect(a.trim().split('\n').length).toBe(10)
    expect(tsharkFrames(out)).toBe(a)
  })

  it('refuses a second link type with a clear error; what was written stays readable', () => {
    const out = outPath()
    const w = new PcapWriter(out, 1)
    const rec = newRecord(2)
    setFrame(rec, pattern(60))
    rec.origLen = 60
    rec.tsSec = 1
    w.write(rec)
    rec.linkType = 113
    rec.frame = 7
    expect(() => w.write(rec)).toThrow(DrcheckError)
    expect(() => w.write(rec)).toThrow(/cannot write a LINUX_SLL frame \(input 2, frame 7\) into a pcap file of link type EN10MB: one pcap file holds one link type/)
    w.close()
    expect(readCopies(out).length).toBe(1)
    expect(() => w.write(rec)).toThrow(/write after close/)
  })

  it('cuts records to its snaplen and keeps the original length', () => {
    const out = outPath()
    const w = new PcapWriter(out, 101, 40)
    const rec = newRecord()
    rec.linkType = 101
    setFrame(rec, pattern(100))
    rec.origLen = 1500
    w.write(rec)
    w.close()
    const [b] = readCopies(out)
    expect(b).toMatchObject({capLen: 40, origLen: 1500, linkType: 101})
    expect(b!.data).toEqual(pattern(40))
  })

  it('a file larger than the read chunk, with one record larger than the chunk, streams back intact', () => {
    const out = outPath()
    const big = 6 * 1024 * 1024 + 3
    const w = new PcapWriter(out, 1, big)
    const rec = newRecord()
    const sizes: number[] = []
    for (let i = 0; i < 7000; i++) sizes.push(i === 3500 ? big : 60 + ((i * 7919) % 1455))
    sizes.forEach((s, i) => {
      setFrame(rec, pattern(s, i))
      rec.origLen = s
      rec.tsSec = 1_700_000_000 + i
      rec.tsNsec = i * 1000 + 1
      w.write(rec)
    })
    w.close()
    expect(statSync(out).size).toBeGreaterThan(10 * 1024 * 1024)
    let i = 0
    const res = readCaptureFile(out, 0, (r) => {
      const s = sizes[i]!
      expect([r.frame, r.capLen, r.tsSec, r.tsNsec]).toEqual([i + 1, s, 1_700_000_000 + i, i * 1000 + 1])
      // first, last and a middle byte of the pattern
      const d = frameBytes(r)
      expect([d[0], d[s - 1], d[s >> 1]]).toEqual([i & 0xff, (i + s - 1) & 0xff, (i + (s >> 1)) & 0xff])
      i++
    })
    expect(res).toMatchObject({packets: 7000, truncated: null, linkTypes: [1]})
  })
})
