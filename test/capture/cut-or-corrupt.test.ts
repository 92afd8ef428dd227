// A length that runs past the end of the file is a cut file (tcpdump killed: analysed, a warning)
// only when less than one whole record is left there; in the middle of a file it is damage
// (corrupt: at best inconclusive), never a pass "on a partial capture".
import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {concat, epb, idb, pattern, pcapHeader, pcapRecord, shb, tmpFile} from './builders.js'

const frames = (n: number) => Array.from({length: n}, (_, i) => pcapRecord(1_700_000_000 + i, 0, pattern(1000, i)))

describe('cut at the end, or a damaged length in the middle', () => {
  it('pcap: a record cut by the end of the file is a cut file', () => {
    const bytes = concat(pcapHeader(), ...frames(10))
    const res = readCaptureFile(tmpFile(bytes.subarray(0, bytes.length - 300)), 0, () => {})
    expect(res.packets).toBe(9)
    expect(res.truncated).not.toBeNull()
    expect(res.corrupt).toBeNull()
  })

  it('pcap: a record claiming more than is left, 1 MB before the end, is corrupt', () => {
    const recs = frames(1100) // ~1.1 MB
    const bad = pcapRecord(1_700_000_100, 0, pattern(1000, 7))
    new DataView(bad.buffer, bad.byteOffset).setUint32(8, 0x0ffffff0, true) // incl_len: 256 MiB - 16
    const bytes = concat(pcapHeader(), ...recs.slice(0, 50), bad, ...recs.slice(50))
    let n = 0
    const res = readCaptureFile(tmpFile(bytes), 0, () => { n++ })
    expect(n).toBe(50)
    expect(res.corrupt?.message).toMatch(/record 51 claims 268435440 captured bytes, more than the \d+ left, but the file goes on/)
    expect(res.truncated).toBeNull()
  })

  it('pcapng: the same for a block length', () => {
    const data = pattern(1000, 3)
    const blocks = Array.from({length: 1200}, (_, i) => epb(true, 0, BigInt(1_700_000_000_000_000 + i), data))
    const bad = Uint8Array.from(blocks[40]!)
    new DataView(bad.buffer).setUint32(4, 100_000_000, true)
    const head = concat(shb(), idb(true, 1, 65535))
    const mid = readCaptureFile(tmpFile(concat(head, ...blocks.slice(0, 40), bad, ...blocks.slice(41))), 0, () => {})
    expect(mid.packets).toBe(40)
    expect(mid.corrupt?.message).toMatch(/block at offset \d+: file ends inside a block of 100000000 bytes .* the length is corrupt/)
    const whole = concat(head, ...blocks.slice(0, 100))
    const cut = readCaptureFile(tmpFile(whole.subarray(0, whole.length - 500)), 0, () => {})
    expect(cut.packets).toBe(99)
    expect(cut.truncated).not.toBeNull()
    expect(cut.corrupt).toBeNull()
  })
})
