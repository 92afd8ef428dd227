// pcapng details on synthetic files: timestamp resolutions and offsets, sections, SPB/PB,
// skipped blocks. Expected timestamps are computed here with BigInt from the definition.

import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {setTimestamp, type Interface} from '../../src/capture/pcapng.js'
import {frameBytes, newRecord, type PacketRecord} from '../../src/capture/record.js'
import {block, concat, endOfOptions, epb, idb, option, pattern, pb, pcapHeader, pcapRecord, shb, spb, tmpFile} from './builders.js'

type Rec = Omit<PacketRecord, 'buf' | 'off'> & {bytes: number[]}

function readAll(bytes: Uint8Array): {recs: Rec[]; res: ReturnType<typeof readCaptureFile>} {
  const recs: Rec[] = []
  const res = readCaptureFile(tmpFile(bytes), 3, (r) => {
    const {buf: _buf, off: _off, ...rest} = r
    recs.push({...rest, bytes: Array.from(frameBytes(r))})
  })
  return {recs, res}
}

/** seconds and nanoseconds of `units` at 10^-k or 2^-k resolution, truncated like Wireshark */
function expected(units: bigint, perSec: bigint): [number, number] {
  return [Number(units / perSec), Number(((units % perSec) * 1_000_000_000n) / perSec)]
}

describe('timestamps', () => {
  const d = pattern(42)
  const at = (tsresol: number | undefined, units: bigint, tsoffset?: bigint): Rec => {
    const opts: {tsresol?: number; tsoffset?: bigint} = {}
    if (tsresol !== undefined) opts.tsresol = tsresol
    if (tsoffset !== undefined) opts.tsoffset = tsoffset
    return readAll(concat(shb(), idb(true, 1, 0, opts), epb(true, 0, units, d))).recs[0]!
  }

  it('default resolution is microseconds', () => {
    expect(at(undefined, 1_700_000_000_654_321n)).toMatchObject({tsSec: 1_700_000_000, tsNsec: 654_321_000, tsDigits: 6})
  })

  it('nanoseconds (10^-9): counts beyond 2^53 stay exact', () => {
    expect(at(9, 1_700_000_000_123_456_789n)).toMatchObject({tsSec: 1_700_000_000, tsNsec: 123_456_789, tsDigits: 9})
    expect(at(9, 0xffff_ffff_ffff_ffffn)).toMatchObject({tsSec: 18_446_744_073, tsNsec: 709_551_615})
  })

  it('milliseconds and seconds (10^-3, 10^0)', () => {
    expect(at(3, 1_700_000_000_123n)).toMatchObject({tsSec: 1_700_000_000, tsNsec: 123_000_000, tsDigits: 3})
    expect(at(0, 1_700_000_000n)).toMatchObject({tsSec: 1_700_000_000, tsNsec: 0, tsDigits: 0})
  })

  it('picoseconds (10^-12): truncated to ns, 9 digits', () => {
    expect(at(12, 10_000_000_123_456_789_012n)).toMatchObject({tsSec: 10_000_000, tsNsec: 123_456_789, tsDigits: 9})
  })

  it('binary resolutions (2^-k, high bit set)', () => {
    expect(at(0x80 | 30, (1_700_000_000n << 30n) + (1n << 29n))).toMatchObject({tsSec: 1_700_000_000, tsNsec: 500_000_000, tsDigits: 9})
    const u = (1_600_000_000n << 20n) + 12_345n
    const [s, n] = expected(u, 1n << 20n)
    expect(at(0x80 | 20, u)).toMatchObject({tsSec: s, tsNsec: n, tsDigits: 9})
  })

  it('if_tsoffset adds seconds (also negative)', () => {
    expect(at(6, 5_000_001n, 1_600_000_000n)).toMatchObject({tsSec: 1_600_000_005, tsNsec: 1_000})
    expect(at(6, 5_000_001n, -3n)).toMatchObject({tsSec: 2, tsNsec: 1_000})
  })

  it('setTimestamp matches BigInt arithmetic for random 64-bit counts at every 10^-k, k <= 9', () => {
    let seed = 12345
    const rnd32 = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed
    }
    const rec = newRecord()
    for (let k = 0; k <= 9; k++) {
      const ifc: Interface = {linkType: 1, snaplen: 0, tsDigits: k, unitsPerSec: 10 ** k, nsPerUnit: 10 ** (9 - k), bigUnits: 0n, tsOffset: 0}
      for (let i = 0; i < 500; i++) {
        const hi = i < 3 ? [0, 0xffffffff, 0x10000][i]! : rnd32() >>> (i % 32)
        const lo = rnd32()
        setTimestamp(rec, ifc, hi, lo)
        const units = (BigInt(hi) << 32n) | BigInt(lo)
        const [s, n] = expected(units, 10n ** BigInt(k))
        if (s <= Number.MAX_SAFE_INTEGER) expect([rec.tsSec, rec.tsNsec], `k=${k} units=${units}`).toEqual([s, n])
      }
    }
  })
})

describe('blocks and sections', () => {
  it('IDB options before if_tsresol are skipped with their padding', () => {
    const f = concat(shb(), idb(true, 1, 0, {name: 'eth0 with a long name', tsresol: 9}), epb(true, 0, 1_000_000_000_000_000_001n, pattern(3)))
    expect(readAll(f).recs[0]).toMatchObject({tsSec: 1_000_000_000, tsNsec: 1, capLen: 3, bytes: [0, 1, 2]})
  })

  it('sections of different byte order restart interface ids and link types', () => {
    const f = concat(
      shb(true), idb(true, 1, 0), idb(true, 0, 0), epb(true, 1, 1_000_000n, pattern(4, 1)),
      shb(false), idb(false, 113, 0, {tsresol: 9}), epb(false, 0, 2_000_000_000n, pattern(5, 2)),
      shb(true), idb(true, 276, 0), epb(true, 0, 3_000_000n, pattern(6, 3)),
    )
    const {recs, res} = readAll(f)
    expect(recs.map((r) => [r.frame, r.iface, r.linkType, r.tsSec, r.tsDigits, r.input])).toEqual([
      [1, 1, 0, 1, 6, 3],
      [2, 0, 113, 2, 9, 3],
      [3, 0, 276, 3, 6, 3],
    ])
    expect(recs[1]!.bytes).toEqual([2, 3, 4, 5, 6])
    expect(res).toMatchObject({packets: 3, linkTypes: [0, 113, 276], format: 'pcapng', truncated: null})
  })

  it('SPB: interface 0, length = min(original, snaplen), previous timestamp (0 at first)', () => {
    const f = concat(
      shb(false), idb(false, 1, 8),
      spb(false, pattern(8), 100), // first packet: no timestamp at all → 0
      epb(false, 0, 1_500_000_000_250_000n, pattern(8), 60),
      spb(false, pattern(5), 5), // body padded to 8 bytes: capLen is 5, not 8
      spb(false, pattern(8), 1514),
    )
    const {recs} = readAll(f)
    expect(recs.map((r) => [r.frame, r.iface, r.capLen, r.origLen, r.tsSec, r.tsNsec])).toEqual([
      [1, 0, 8, 100, 0, 0],
      [2, 0, 8, 60, 1_500_000_000, 250_000_000],
      [3, 0, 5, 5, 1_500_000_000, 250_000_000],
      [4, 0, 8, 1514, 1_500_000_000, 250_000_000],
    ])
    expect(recs[2]!.bytes).toEqual([0, 1, 2, 3, 4])
  })

  it('obsolete Packet Block (type 2) is read like an EPB', () => {
    const {recs} = readAll(concat(shb(), idb(true, 1, 0), idb(true, 101, 0), pb(true, 1, 7_000_001n, pattern(20), 40)))
    expect(recs[0]).toMatchObject({frame: 1, iface: 1, linkType: 101, tsSec: 7, tsNsec: 1000, capLen: 20, origLen: 40})
  })

  it('NRB, ISB, DSB, custom and unknown blocks are skipped; custom blocks take a frame number as in Wireshark', () => {
    const f = concat(
      shb(), block(0x00000bad, pattern(13)), idb(true, 1, 0), block(4, new Uint8Array(4)),
      epb(true, 0, 1n, pattern(10)), block(0x0000000a, pattern(16)), block(5, concat(new Uint8Array(12), endOfOptions)),
      block(0x40000bad, pattern(3)), block(0x12345678, new Uint8Array(0)), epb(true, 0, 2n, pattern(10)),
    )
    const {recs, res} = readAll(f)
    expect(recs.map((r) => [r.frame, r.tsNsec])).toEqual([[2, 1000], [4, 2000]])
    expect(res).toMatchObject({packets: 2, truncated: null, warnings: []})
  })

  it('an IDB whose options run past the block is kept, with a warning', () => {
    const fixed = new Uint8Array(8)
    new DataView(fixed.buffer).setUint16(0, 1, true)
    const opt = option(9, Uint8Array.of(9))
    new DataView(opt.buffer).setUint16(2, 200, true) // claims 200 bytes of value
    const {recs, res} = readAll(concat(shb(), block(1, concat(fixed, opt)), epb(true, 0, 5n, pattern(2))))
    expect(recs[0]).toMatchObject({tsDigits: 6, tsNsec: 5000})
    expect(res.warnings).toEqual(['an interface description has options running past its block (ignored the rest)'])
  })
})

describe('classic pcap details', () => {
  it('FCS bits in the link-type field are masked off (LT_LINKTYPE) and reported', () => {
    const lt = (2 << 28) | 0x04000000 | 1 // LT_FCS_DATALINK_EXT(2) | ETHERNET: 4-byte FCS
    const {recs, res} = readAll(concat(pcapHeader({linkType: lt}), pcapRecord(1, 2, pattern(64))))
    expect(recs[0]!.linkType).toBe(1)
    expect(res.linkTypes).toEqual([1])
    expect(res.warnings).toEqual(['the link-type field says every frame ends with a 4-byte FCS'])
  })

  it('pcap 2.2 files with swapped caplen/len are swapped back, like libpcap', () => {
    // 20 bytes captured of a 40-byte frame, but the two length fields written the other way round
    const {recs, res} = readAll(concat(pcapHeader({minor: 2}), pcapRecord(1, 0, pattern(20), {inclLen: 40, origLen: 20}), pcapRecord(2, 0, pattern(9))))
    expect(recs.map((r) => [r.capLen, r.origLen])).toEqual([[20, 40], [9, 9]])
    expect(res).toMatchObject({packets: 2, truncated: null, warnings: []})
  })

  it('an out-of-range µs field is carried into the seconds', () => {
    const {recs, res} = readAll(concat(pcapHeader({le: false}), pcapRecord(10, 2_500_000, pattern(1), {le: false})))
    expect(recs[0]).toMatchObject({tsSec: 12, tsNsec: 500_000_000, tsDigits: 6})
    expect(res.warnings[0]).toMatch(/1 record\(s\) have a sub-second timestamp field out of range/)
  })

  it('one PacketRecord object is reused and its bytes stay in the reader buffer (no copy)', () => {
    const seen = new Set<PacketRecord>()
    const buffers = new Set<ArrayBufferLike>()
    const f = tmpFile(concat(pcapHeader(), pcapRecord(1, 0, pattern(10)), pcapRecord(2, 0, pattern(10)), pcapRecord(3, 0, pattern(10))))
    readCaptureFile(f, 0, (r) => {
      seen.add(r)
      buffers.add(r.buf)
      expect(r.off).toBe(24 + 16 + (r.frame - 1) * 26)
    })
    expect(seen.size).toBe(1)
    expect(buffers.size).toBe(1)
  })
})
