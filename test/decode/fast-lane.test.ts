// The Dissector's fast lane (untagged Ethernet → IPv4 without options / IPv6 without extension
// headers → TCP/UDP) must decode every frame to exactly the events and counters the general path
// gives. Both run over every fixture capture and over mutations of the frames the lane takes
// (header lengths, length fields, fragment bits, cut short), so any difference in what the lane
// accepts or how it reads a field shows up here.

import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {frameBytes, LinkType, newRecord, type PacketRecord} from '../../src/capture/record.js'
import {Dissector} from '../../src/decode/dissect.js'
import type {DecodedEvent, DecodeStats} from '../../src/decode/events.js'
import {allCaptures} from '../helpers/tshark-ref.js'

interface Out { events: DecodedEvent[]; stats: DecodeStats }

function dissectors(): {fast: Dissector, general: Dissector, out: {fast: Out, general: Out}} {
  const out = {fast: {events: [], stats: null}, general: {events: [], stats: null}} as unknown as {fast: Out, general: Out}
  const copy = (l: DecodedEvent[]) => (ev: DecodedEvent): void => { l.push({...ev, vlans: [...ev.vlans]} as DecodedEvent) }
  const fast = new Dissector(copy(out.fast.events), undefined, {fastLane: true})
  const general = new Dissector(copy(out.general.events), undefined, {fastLane: false})
  out.fast.stats = fast.stats
  out.general.stats = general.stats
  return {fast, general, out}
}

function record(bytes: Uint8Array, origLen = bytes.length, frame = 1): PacketRecord {
  const r = newRecord(0)
  Object.assign(r, {frame, linkType: LinkType.ETHERNET, buf: bytes, off: 0, capLen: bytes.length, origLen})
  return r
}

/** frames the fast lane is meant for (untagged Ethernet, IPv4/IPv6, TCP/UDP) from every fixture */
function laneFrames(): Uint8Array[] {
  const frames: Uint8Array[] = []
  for (const c of allCaptures()) {
    try {
      readCaptureFile(c.path, 0, (r) => {
        if (r.linkType !== LinkType.ETHERNET || r.capLen < 54) return
        const b = frameBytes(r)
        const et = (b[12]! << 8) | b[13]!
        const proto = et === 0x0800 ? b[23] : et === 0x86dd ? b[20] : -1
        if ((proto === 6 || proto === 17) && frames.length < 4000) frames.push(b.slice())
      })
    } catch { /* corrupt fixtures: the frames read before the error still count */ }
  }
  return frames
}

describe('fast lane = general path', () => {
  it('every fixture capture: the same events and counters', () => {
    let laneTaken = 0
    for (const c of allCaptures()) {
      const {fast, general, out} = dissectors()
      try {
        readCaptureFile(c.path, 0, (r) => { fast.dissect(r); general.dissect(r) })
      } catch { /* corrupt on purpose: compare what came before */ }
      expect(out.fast.events, c.name).toEqual(out.general.events)
      expect(out.fast.stats, c.name).toEqual(out.general.stats)
      laneTaken += out.fast.events.filter((e) => e.kind === 'traffic' && (e.proto === 6 || e.proto === 17) && e.vlans.length === 0).length
    }
    // the comparison means something only if the lane really ran on many frames
    expect(laneTaken).toBeGreaterThan(1000)
  })

  it('mutated and cut-short frames: the same events and counters', () => {
    const frames = laneFrames()
    expect(frames.length).toBeGreaterThan(200)
    // deterministic pseudo-random choices (xorshift), so a failure reproduces
    let s = 0x9e3779b9
    const rnd = (n: number): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n }
    const {fast, general, out} = dissectors()
    let n = 0
    for (const f of frames) {
      const v6 = f[12] === 0x86 && f[13] === 0xdd
      const l4 = v6 ? 54 : 14 + (f[14]! & 0x0f) * 4
      // offsets whose value decides whether and how the frame is decoded
      const spots = v6
        ? [14, 18, 19, 20, l4 + 4, l4 + 5, l4 + 12, l4 + 13]
        : [14, 16, 17, 20, 21, 23, l4 + 4, l4 + 5, l4 + 12, l4 + 13]
      const interesting = [0, 1, 5, 7, 8, 19, 20, 21, 40, 0x20, 0x40, 0x45, 0x46, 0x4f, 0x50, 0x60, 0xff, 6, 17, 44, 0]
      for (let k = 0; k < 12; k++) {
        const m = f.slice()
        const spot = spots[rnd(spots.length)]!
        if (spot < m.length) m[spot] = rnd(2) === 0 ? interesting[rnd(interesting.length)]! : rnd(256)
        if (rnd(3) === 0 && spot + 1 < m.length) m[spot + 1] = rnd(256)
        // sometimes cut short (as a snaplen does) with the wire length kept
        const cut = rnd(4) === 0 ? Math.max(1, m.length - 1 - rnd(Math.min(m.length, 60))) : m.length
        const r = record(m.subarray(0, cut), m.length, ++n)
        fast.dissect(r)
        general.dissect(r)
      }
    }
    expect(out.fast.events).toEqual(out.general.events)
    expect(out.fast.stats).toEqual(out.general.stats)
    // the mutations hit both outcomes: some frames still decode, some are malformed
    expect(out.general.events.length).toBeGreaterThan(100)
    expect(out.general.stats.malformed).toBeGreaterThan(10)
  })

  it('an IP length beyond the frame: TCP payload from it only where the snaplen cut the frame (tshark: tcp.len)', () => {
    // IPv4 total length 140 in a 54-byte frame carrying a pure ACK (data offset 5)
    const hex = '020000000001' + '020000000002' + '0800' +
      '4500008c' + '00000000' + '40060000' + 'cb007164' + 'c633640a' +
      'c0010019' + '00000001' + '00000001' + '50100100' + '00000000'
    const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)))
    expect(bytes.length).toBe(54)
    for (const fastLane of [true, false]) {
      const out: DecodedEvent[] = []
      const d = new Dissector((ev) => out.push({...ev} as DecodedEvent), undefined, {fastLane})
      d.dissect(record(bytes, 54)) // whole frame: the length field is inconsistent
      d.dissect(record(bytes, 154)) // cut by the snaplen: 100 bytes of data were on the wire
      expect(out.map((e) => (e as {payloadLen: number}).payloadLen), `fastLane ${fastLane}`).toEqual([0, 100])
      expect(d.stats.ipBeyondFrame).toBe(1)
    }
  })

  it('a frame the lane reads with the wrong field would show: the general path sees the UDP length, not the IP one', () => {
    // literal frame: IPv4/UDP, IP total 40, UDP length 12 → 4 payload bytes (not 12)
    const hex = '020000000001' + '020000000002' + '0800' +
      '45000028' + '00000000' + '40110000' + 'c0000201' + 'c6336410' +
      '3039' + '0035' + '000c' + '0000' + 'deadbeef' + '00'.repeat(8)
    const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)))
    const {fast, general, out} = dissectors()
    fast.dissect(record(bytes))
    general.dissect(record(bytes))
    expect(out.fast.events).toHaveLength(1)
    expect(out.fast.events[0]).toMatchObject({kind: 'traffic', family: 'ipv4', ipSrc: '192.0.2.1', ipDst: '198.51.100.16', proto: 17, sport: 12345, dport: 53, payloadLen: 4})
    expect(out.fast.events).toEqual(out.general.events)
  })
})
