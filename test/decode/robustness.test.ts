// The Dissector never throws: malformed captures, every prefix of every fixture frame, random
// mutations, random bytes under every link type. What it cannot use is counted.

import {readdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {frameBytes, newRecord, type PacketRecord} from '../../src/capture/record.js'
import {Dissector} from '../../src/decode/dissect.js'
import type {DecodedEvent} from '../../src/decode/events.js'
import {readCapture} from '../helpers/mini-pcap.js'
import {FIXTURES} from '../helpers/tshark-ref.js'
import {dissectFixture} from './run.js'

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/
const IP4 = /^(\d{1,3}\.){3}\d{1,3}$/
const IP6 = /^[0-9a-f:]+$/

function wellFormed(ev: DecodedEvent): void {
  if (ev.ethSrc !== '') expect(ev.ethSrc).toMatch(MAC)
  if (ev.ethDst !== '') expect(ev.ethDst).toMatch(MAC)
  if (ev.kind === 'arp') { expect(ev.senderIp).toMatch(IP4); expect(ev.senderMac).toMatch(MAC) }
  if (ev.kind === 'nd') expect(ev.target).toMatch(IP6)
  if (ev.kind === 'vrrp' || ev.kind === 'traffic') expect(ev.ipSrc).toMatch(ev.family === 'ipv4' ? IP4 : IP6)
}

function rec(linkType: number, data: Uint8Array, frame = 1): PacketRecord {
  const r = newRecord(0)
  Object.assign(r, {frame, linkType, buf: data, off: 0, capLen: data.length, origLen: data.length})
  return r
}

describe('malformed captures', () => {
  it('zeek-arp-leak.pcap: the 6 ARP frames with hlen/plen 255 are counted malformed, no claims', () => {
    const run = dissectFixture('zeek-arp-leak.pcap')
    expect(run.events).toEqual([])
    expect(run.stats).toMatchObject({frames: 6, malformed: 6})
  })
  it('tcpdump-vrrp-print-oobr-2.pcap: 10 fragmented, cut-short proto-112 frames → 10 malformed, no adverts', () => {
    const run = dissectFixture('tcpdump-vrrp-print-oobr-2.pcap')
    expect(run.events).toEqual([])
    expect(run.stats).toMatchObject({frames: 10, malformed: 10})
  })
  it('packetlife-vrrp-malformed-dos.cap: proto 112 with no VRRP payload → malformed', () => {
    const run = dissectFixture('packetlife-vrrp-malformed-dos.cap')
    expect(run.events).toEqual([])
    expect(run.stats).toMatchObject({frames: 1, malformed: 1})
  })
  it('an unsupported link type is counted per LINKTYPE, not as malformed', () => {
    const d = new Dissector(() => { throw new Error('no event expected') })
    d.dissect(rec(107, new Uint8Array(64)))
    d.dissect(rec(107, new Uint8Array(0)))
    d.dissect(rec(147, new Uint8Array(10)))
    expect(d.stats.unsupportedLink).toEqual(new Map([[107, 2], [147, 1]]))
    expect(d.stats.malformed).toBe(0)
    expect(d.stats.frames).toBe(3)
  })
  it('capLen shorter than the data view is respected', () => {
    const [r] = readCapture(`${FIXTURES}/pcapplusplus-vrrp-v2.pcap`)
    const evs: DecodedEvent[] = []
    const d = new Dissector((e) => evs.push({...e}))
    d.dissect({...r!, capLen: 30})
    expect(evs).toEqual([])
    expect(d.stats.malformed).toBe(1)
  })
})

describe('never throws', () => {
  const captures = readdirSync(FIXTURES).filter((f) => /\.(pcap|cap|pcapng)$/.test(f))

  it('on every prefix of every frame of every fixture capture', () => {
    let n = 0
    for (const c of captures) {
      for (const r of readCapture(`${FIXTURES}/${c}`)) {
        const d = new Dissector(wellFormed)
        for (let len = 0; len <= r.capLen; len++) {
          d.dissect({...r, capLen: len, buf: frameBytes(r).subarray(0, len), off: 0})
          n++
        }
        expect(d.stats.frames).toBe(r.capLen + 1)
      }
    }
    expect(n).toBeGreaterThan(100_000)
  })

  it('on 50 000 random byte mutations of fixture frames', () => {
    let seed = 42
    const rnd = (m: number) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % m }
    const frames = captures.flatMap((c) => readCapture(`${FIXTURES}/${c}`)).filter((r) => r.capLen > 0)
    const d = new Dissector(wellFormed)
    for (let i = 0; i < 50_000; i++) {
      const r = frames[rnd(frames.length)]!
      const data = frameBytes(r).slice()
      const k = 1 + rnd(4)
      for (let j = 0; j < k; j++) {
        // bias towards the headers, where the lengths and counts are
        const at = rnd(Math.min(data.length, rnd(2) ? 80 : data.length))
        data[at] = rnd(3) === 0 ? 0xff : rnd(256)
      }
      d.dissect({...r, buf: data, off: 0, capLen: data.length})
    }
    expect(d.stats.frames).toBe(50_000)
  })

  it('on random bytes under every supported link type', () => {
    let seed = 7
    const rnd = (m: number) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % m }
    const d = new Dissector(wellFormed)
    for (const lt of [0, 1, 12, 101, 108, 113, 228, 229, 276]) {
      for (let i = 0; i < 3000; i++) {
        const data = new Uint8Array(rnd(120))
        for (let j = 0; j < data.length; j++) data[j] = rnd(256)
        // make the IP/ARP paths likely
        if (lt === 1 && data.length > 14) { data[12] = [0x08, 0x86, 0x81][rnd(3)]!; data[13] = [0x00, 0x06, 0xdd][rnd(3)]! }
        if ((lt === 101 || lt === 12 || lt === 228) && data.length > 0) data[0] = 0x45
        if (lt === 229 && data.length > 0) data[0] = 0x60
        d.dissect(rec(lt, data))
      }
    }
    expect(d.stats.unsupportedLink.size).toBe(0)
  })
})
