// Several capture points in one verdict: clock alignment by identical frames seen at two points,
// and the cross-point part of `source`: a request the LB forwarded to a proxy's MAC must arrive at
// that proxy's capture point (`lost-in-transit`) and be answered there (`unanswered`), both frames named.
//
// Frames are identified by their network-layer bytes (IP packet or ARP body: DR rewrites only the
// Ethernet header, so the LB's outgoing copy and the proxy's incoming copy are byte-identical).

import {frameBytes, type PacketRecord} from '../capture/record.js'
import {AddressInterner} from '../decode/intern.js'
import type {FrameRef} from '../decode/events.js'
import type {Knowledge} from './context.js'
import {finding} from './evidence.js'
import type {Finding} from './types.js'

const TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58
const SYN = 0x02

/** One frame as the cross-point logic needs it (no payload kept). */
interface PFrame {
  frame: number
  tsSec: number
  tsNsec: number
  tsDigits: number
  t: number
  key: number
  ethSrc: string
  ethDst: string
  /** 4 / 6 for IP, 0 for ARP */
  ipv: number
  src: string
  dst: string
  proto: number
  sport: number
  dport: number
  /** a request that waits for a reply (SYN, TCP data, UDP, echo request) */
  wantsReply: boolean
  /** ICMP echo reply (the reverse of an echo request) */
  echoReply: boolean
}

/** At most this many frames are kept per input (≈300 bytes of heap each, measured). */
const MAX_FRAMES = 400_000
/** how far (s) apart the same frame may be at two points after alignment */
const TRANSIT_S = 1

// Addresses as the Dissector writes them, interned: up to MAX_FRAMES frames per point are kept, and
// a string built per frame (a rope of 11 pieces for a MAC) cost kilobytes per frame.
const names = new AddressInterner()
const mac = (b: Uint8Array, o: number): string => names.macAt(b, o)
const ip4 = (b: Uint8Array, o: number): string => names.ipv4At(b, o)
const ip6 = (b: Uint8Array, o: number): string => names.ipv6At(b, o)

/** 2 × 32-bit FNV-1a over up to 512 bytes + the length, folded into 53 bits (a number, exact in a
 *  double: a string key per kept frame cost hundreds of bytes): identity of a network-layer packet. */
function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ (to - from)
  const end = Math.min(to, from + 512)
  for (let i = from; i < end; i++) {
    h1 = Math.imul(h1 ^ b[i], 0x01000193)
    h2 = Math.imul(h2 ^ b[i], 0x5bd1e995) ^ (h2 >>> 15)
  }
  return (h1 >>> 0) * 0x200000 + ((h2 ^ Math.imul(to - from, 0x9e3779b1)) >>> 11)
}

/** Network-layer offset and L2 addresses of a record, or null when not IP / ARP. */
function layer2(rec: PacketRecord): {off: number, etype: number, src: string, dst: string} | null {
  const b = frameBytes(rec), n = rec.capLen
  switch (rec.linkType) {
    case 1: {
      if (n < 14) return null
      let off = 12, etype = (b[12] << 8) | b[13]
      for (let tags = 0; (etype === 0x8100 || etype === 0x88a8) && tags < 8; tags++) {
        off += 4
        if (n < off + 2) return null
        etype = (b[off] << 8) | b[off + 1]
      }
      return {off: off + 2, etype, src: mac(b, 6), dst: mac(b, 0)}
    }
    case 113: {
      if (n < 16) return null
      const alen = (b[4] << 8) | b[5]
      return {off: 16, etype: (b[14] << 8) | b[15], src: alen === 6 ? mac(b, 6) : '', dst: ''}
    }
    case 276: {
      if (n < 20) return null
      return {off: 20, etype: (b[0] << 8) | b[1], src: b[11] === 6 ? mac(b, 12) : '', dst: ''}
    }
    case 101: case 12: case 228: case 229: {
      if (n < 1) return null
      const v = b[0] >> 4
      return {off: 0, etype: v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0, src: '', dst: ''}
    }
    case 0: case 108: {
      if (n < 5) return null
      const v = b[4] >> 4
      return {off: 4, etype: v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0, src: '', dst: ''}
    }
    default: return null
  }
}

type Base = Pick<PFrame, 'frame' | 'tsSec' | 'tsNsec' | 'tsDigits' | 't' | 'ethSrc' | 'ethDst'>

/** One literal with every field (an object spread of this size became a slow dictionary object). */
function pframe(b: Base, key: number, ipv: number, src: string, dst: string, proto: number, sport: number, dport: number, wantsReply: boolean, echoReply: boolean): PFrame {
  return {frame: b.frame, tsSec: b.tsSec, tsNsec: b.tsNsec, tsDigits: b.tsDigits, t: b.t, key, ethSrc: b.ethSrc, ethDst: b.ethDst,
    ipv, src, dst, proto, sport, dport, wantsReply, echoReply}
}

export function parseFrame(rec: PacketRecord): PFrame | null {
  const l2 = layer2(rec)
  if (!l2) return null
  const b = frameBytes(rec), n = rec.capLen
  const base = {frame: rec.frame, tsSec: rec.tsSec, tsNsec: rec.tsNsec, tsDigits: rec.tsDigits, t: rec.tsSec + rec.tsNsec * 1e-9, ethSrc: l2.src, ethDst: l2.dst}
  const off = l2.off
  if (l2.etype === 0x0806) {
    if (n < off + 8) return null
    return pframe(base, hashBytes(b, off, n), 0, '', '', 0, 0, 0, false, false)
  }
  let ipv = 0, src = '', dst = '', proto = 0, l4 = 0, end = n
  if (l2.etype === 0x0800) {
    if (n < off + 20 || b[off] >> 4 !== 4) return null
    const ihl = (b[off] & 15) * 4
    const total = (b[off + 2] << 8) | b[off + 3]
    end = Math.min(n, off + Math.max(total, ihl))
    ipv = 4; proto = b[off + 9]; src = ip4(b, off + 12); dst = ip4(b, off + 16); l4 = off + ihl
    if (((b[off + 6] & 0x1f) << 8 | b[off + 7]) !== 0) l4 = -1 // a later fragment: no ports
  } else if (l2.etype === 0x86dd) {
    if (n < off + 40 || b[off] >> 4 !== 6) return null
    end = Math.min(n, off + 40 + ((b[off + 4] << 8) | b[off + 5]))
    ipv = 6; proto = b[off + 6]; src = ip6(b, off + 8); dst = ip6(b, off + 24); l4 = off + 40
  } else {
    return null
  }
  let sport = 0, dport = 0, wantsReply = false, echoReply = false
  if (l4 >= 0 && (proto === TCP || proto === UDP) && end >= l4 + 4) {
    sport = (b[l4] << 8) | b[l4 + 1]; dport = (b[l4 + 2] << 8) | b[l4 + 3]
    if (proto === UDP) wantsReply = true
    else if (end >= l4 + 14) {
      const flags = b[l4 + 13]
      const dataOff = (b[l4 + 12] >> 4) * 4
      wantsReply = (flags & SYN) !== 0 && (flags & 0x10) === 0 || end - (l4 + dataOff) > 0
      if (flags & 0x04) wantsReply = false
    }
  } else if (l4 >= 0 && (proto === ICMP || proto === ICMP6) && end >= l4 + 6) {
    const type = b[l4]
    const id = (b[l4 + 4] << 8) | b[l4 + 5]
    sport = dport = id
    wantsReply = type === (proto === ICMP ? 8 : 128)
    echoReply = type === (proto === ICMP ? 0 : 129)
    if (!wantsReply && !echoReply) sport = dport = 0
  }
  return pframe(base, hashBytes(b, off, end), ipv, src, dst, proto, sport, dport, wantsReply, echoReply)
}

interface Point {
  frames: PFrame[]
  byKey: Map<number, number[]>
  full: boolean
}

export interface ClockOffset {
  /** median of (t_this − t_first) over frames seen at both points, ms; null when none shared */
  offsetMs: number | null
  sharedFrames: number
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export class MultiPoint {
  private readonly points: Point[] = []

  onRecord(rec: PacketRecord): void {
    let p = this.points[rec.input]
    if (!p) {
      for (let i = this.points.length; i <= rec.input; i++) this.points[i] ??= {frames: [], byKey: new Map(), full: false}
      p = this.points[rec.input]
    }
    if (p.frames.length >= MAX_FRAMES) { p.full = true; return }
    const f = parseFrame(rec)
    if (!f) return
    const idx = p.frames.length
    p.frames.push(f)
    const l = p.byKey.get(f.key)
    if (l) l.push(idx)
    else p.byKey.set(f.key, [idx])
  }

  /** Offset of each input's clock against input 0's. */
  clockOffsets(n: number): ClockOffset[] {
    const out: ClockOffset[] = [{offsetMs: 0, sharedFrames: 0}]
    const a = this.points[0]
    for (let i = 1; i < n; i++) {
      const b = this.points[i]
      if (!a || !b) { out.push({offsetMs: null, sharedFrames: 0}); continue }
      const diffs: number[] = []
      for (const [key, ia] of a.byKey) {
        const ib = b.byKey.get(key)
        if (!ib) continue
        // each occurrence at A against the nearest at B (periodic adverts are byte-identical)
        for (const x of ia) {
          const ta = a.frames[x].t
          let best = Infinity
          for (const y of ib) { const d = b.frames[y].t - ta; if (Math.abs(d) < Math.abs(best)) best = d }
          diffs.push(best)
        }
        if (diffs.length > 20000) break
      }
      out.push({offsetMs: diffs.length ? Math.round(median(diffs) * 1e6) / 1000 : null, sharedFrames: diffs.length})
    }
    return out
  }

  /** The host MAC a capture point belongs to: the inventory's MACs of its label, else the MAC in ≥ 95 % of its unicast frames. */
  private ownerMacs(k: Knowledge, input: number): string[] {
    const label = k.inputs[input]?.name ?? ''
    // the label itself ("-r rs1=…") or the first word of the file name ("rs1-ns.pcap")
    const stem = label.split(/[.\-_]/)[0]
    const h = (k.options.hosts ?? []).find((x) => x.name === label) ?? (k.options.hosts ?? []).find((x) => x.name === stem)
    if (h && h.macs.length) return h.macs
    const p = this.points[input]
    if (!p) return []
    const count = new Map<string, number>()
    let unicast = 0
    for (const f of p.frames) {
      if (!f.ethDst || (parseInt(f.ethDst.slice(0, 2), 16) & 1) === 1) continue
      unicast++
      count.set(f.ethSrc, (count.get(f.ethSrc) ?? 0) + 1)
      if (f.ethDst !== f.ethSrc) count.set(f.ethDst, (count.get(f.ethDst) ?? 0) + 1)
    }
    if (unicast < 10) return []
    let best = '', n = 0
    for (const [m, c] of count) if (c > n) { best = m; n = c }
    return n >= 0.95 * unicast ? [best] : []
  }

  /** Cross-point findings of `source`: lost-in-transit and unanswered, with frames at both points. */
  judge(k: Knowledge, offsets: ClockOffset[]): {findings: Finding[], checked: number, proxyPoints: string[]} {
    const findings: Finding[] = []
    const n = k.inputs.length
    const owners = Array.from({length: n}, (_, i) => this.ownerMacs(k, i))
    const isLbPoint = owners.map((o) => o.some((m) => k.isLbMac(m)))
    const reported = new Set<number>()
    let checked = 0
    const proxyPoints: string[] = []
    const replyTimeout = k.options.replyTimeoutS
    const refOf = (input: number, f: PFrame): FrameRef => ({input, frame: f.frame, tsSec: f.tsSec, tsNsec: f.tsNsec, tsDigits: f.tsDigits})
    for (let x = 0; x < n; x++) {
      const px = this.points[x]
      const own = owners[x]
      if (!px || px.frames.length === 0 || own.length === 0 || !own.some((m) => k.isProxyMac(m))) continue
      const offX = offsets[x]?.offsetMs
      if (offX === null || offX === undefined) continue
      proxyPoints.push(k.inputs[x].name)
      const firstX = px.frames[0].t, lastX = px.frames[px.frames.length - 1].t
      // replies leaving X, by reverse flow
      const replies = new Map<string, number[]>()
      for (const f of px.frames) {
        if (!f.ipv || !own.includes(f.ethSrc) && f.ethSrc !== '') continue
        const key = `${f.ipv}|${f.proto}|${f.dst}|${f.dport}|${f.sport}`
        const l = replies.get(key)
        if (l) l.push(f.t)
        else replies.set(key, [f.t])
      }
      // the other points, LB points first: which one names the forwarded frame
      const others = [...Array(n).keys()].filter((y) => y !== x).sort((a, b) => Number(isLbPoint[b]) - Number(isLbPoint[a]))
      for (const y of others) {
        const py = this.points[y]
        const offY = offsets[y]?.offsetMs
        if (!py || offY === null || offY === undefined) continue
        const shift = (offX - offY) / 1000 // t at X ≈ t at Y + shift
        for (const f of py.frames) {
          if (!f.ipv || !own.includes(f.ethDst) || !k.isLbMac(f.ethSrc) || !k.vips.has(f.dst)) continue
          if (reported.has(f.key)) continue
          const tx = f.t + shift
          // X must have been capturing around it
          if (tx < firstX + 0.05 || tx + TRANSIT_S > lastX) continue
          const arrivals = (px.byKey.get(f.key) ?? []).map((i) => px.frames[i]).filter((a) => Math.abs(a.t - tx) <= TRANSIT_S && (own.includes(a.ethDst) || a.ethDst === ''))
          checked++
          const yName = k.inputs[y].name, xName = k.inputs[x].name
          // the same request arriving at the LB, when point Y shows it
          const atLb = (py.byKey.get(f.key) ?? []).map((i) => py.frames[i]).find((a) => a !== f && k.isLbMac(a.ethDst) && Math.abs(a.t - f.t) < TRANSIT_S)
          const proxy = k.named(own[0])
          const lb = k.named(f.ethSrc)
          const what = describe(f)
          if (arrivals.length === 0) {
            reported.add(f.key)
            const fd = finding(k, 'lost-in-transit', 'fail', refOf(y, f), {mac: own[0], ip: f.dst, relatedFrame: atLb?.frame},
              `${what} left ${lb} for ${proxy} as frame ${f.frame} of ${yName}${atLb ? ` (it arrived at the LB as frame ${atLb.frame})` : ''} and never reached ${xName} (no identical frame within ${TRANSIT_S} s after clock alignment)`)
            findings.push(fd)
            continue
          }
          const arr = arrivals[0]
          if (!f.wantsReply) { reported.add(f.key); continue }
          if (arr.t + replyTimeout > lastX) continue
          reported.add(f.key)
          const rkey = `${f.ipv}|${f.proto}|${f.src}|${f.sport}|${f.dport}`
          const got = (replies.get(rkey) ?? []).some((t) => t >= arr.t && t <= arr.t + replyTimeout)
          if (!got) {
            const fd = finding(k, 'unanswered', 'fail', refOf(x, arr), {mac: own[0], ip: f.dst, relatedFrame: f.frame},
              `${what} forwarded by ${lb} (frame ${f.frame} of ${yName}) arrived at ${proxy} as frame ${arr.frame} of ${xName} and got no reply within ${replyTimeout} s`)
            fd.relatedFile = yName
            findings.push(fd)
          }
        }
      }
    }
    for (const f of findings) if (f.kind === 'lost-in-transit' && f.relatedFrame !== undefined) f.relatedFile = f.file
    return {findings, checked, proxyPoints}
  }
}

function describe(f: PFrame): string {
  const fam = f.ipv === 6 ? `[${f.src}]` : f.src
  const dfam = f.ipv === 6 ? `[${f.dst}]` : f.dst
  if (f.proto === TCP) return `TCP ${fam}:${f.sport} → ${dfam}:${f.dport}`
  if (f.proto === UDP) return `UDP ${fam}:${f.sport} → ${dfam}:${f.dport}`
  if (f.proto === ICMP || f.proto === ICMP6) return `echo request ${f.src} → ${f.dst} (id ${f.sport})`
  return `IP ${f.src} → ${f.dst} (protocol ${f.proto})`
}
