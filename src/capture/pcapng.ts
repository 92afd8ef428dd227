// pcapng files: a sequence of blocks, https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
//
//   block  type u32 | total length u32 | body | total length u32 (again)
//
// A file is one or more sections. Each starts with a Section Header Block (SHB) whose byte-order
// magic sets the byte order of the whole section (it may change from one section to the next),
// and whose Interface Description Blocks (IDB) are numbered from 0 again. Packets come in Enhanced
// Packet Blocks (EPB), Simple Packet Blocks (SPB: interface 0, no timestamp) and the obsolete
// Packet Block (PB). Every other block (NRB, ISB, DSB, custom, unknown) is skipped by its length.
//
// Damage policy: a block longer than what is left of the file is a file cut at its end (tcpdump
// killed): `truncated`. A block whose length is impossible (< 12, not a multiple of 4, the two
// copies disagree, over the limit) or whose fields contradict it (a packet before any interface or
// on an interface that does not exist, a captured length beyond the block) is damage in the middle:
// `corrupt`. Either ends the read and what came before is kept. Only a problem in the very first
// SHB is an error of its own.

import {CaptureFileError} from '../lib/errors.js'
import type {PacketRecord} from './record.js'
import type {ReadContext} from './file.js'

/** Block type of the SHB; also the file's magic (a palindrome, so byte order does not matter). */
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a
const BYTE_ORDER_MAGIC = 0x1a2b3c4d

// Block types (the ones that matter here)
const IDB = 1
const PB = 2 // obsolete Packet Block
const SPB = 3
const EPB = 6
const CB_COPY = 0x00000bad // custom block, may be copied
const CB_NOCOPY = 0x40000bad // custom block, must not be copied

// IDB option codes
const OPT_END = 0
const IF_TSRESOL = 9
const IF_TSOFFSET = 14

/** Body sizes of the fixed parts, after the 8-byte block header. */
const SHB_FIXED = 16 // byte-order magic, major, minor, section length (i64)
const IDB_FIXED = 8 // link type u16, reserved u16, snaplen u32
// EPB: interface id u32, ts high, ts low, captured len, original len. The obsolete PB has the same
// layout and size, except that the interface id is a u16 followed by a u16 drop count.
const EPB_FIXED = 20
const SPB_FIXED = 4 // original len

/** What we keep of an IDB: enough to turn its packets into PacketRecords. */
export interface Interface {
  linkType: number
  /** 0 = no limit */
  snaplen: number
  /** decimal digits of the timestamps (if_tsresol 10^-k → k, capped at 9; 2^-k → 9) */
  tsDigits: number
  /** timestamp units per second when it is 10^k with k <= 9 (exact double arithmetic); else 0 */
  unitsPerSec: number
  /** 10^(9-k): nanoseconds per unit when unitsPerSec is used */
  nsPerUnit: number
  /** units per second for resolutions finer than 1 ns or binary ones (BigInt path); else 0n */
  bigUnits: bigint
  /** if_tsoffset: seconds added to every timestamp */
  tsOffset: number
}

/** the most a file cut inside its last block is taken to have left there */
const CUT_TAIL = 1024 * 1024

/** Reads all sections of a pcapng file (format already detected from the magic). */
export function readPcapng(ctx: ReadContext): void {
  const {path, src, rec, sink, result, maxRecord} = ctx
  let le = true
  let ifaces: Interface[] = []
  let sections = 0
  let lastLinkType = -1
  /** Wireshark's frame number: packets and custom blocks */
  let frameNo = 0
  /** the file ends inside a block */
  const stop = (offset: number, message: string): void => {
    result.truncated = {offset, message}
  }
  /** an impossible structure before the end of the file */
  const corrupt = (offset: number, message: string): void => {
    result.corrupt = {offset, message}
  }

  for (;;) {
    const start = src.offset
    if (!src.ensure(8)) {
      if (src.remaining > 0) stop(start, `file ends inside a block header (${src.remaining} of 8 bytes)`)
      break
    }
    const type = src.view.getUint32(src.pos, le)
    if (type === PCAPNG_SHB_TYPE) {
      // The byte order of this block's length is only known from the magic after it.
      if (!src.ensure(12)) {
        if (sections === 0) throw new CaptureFileError(path, `pcapng section header cut short: ${src.size} bytes`)
        stop(start, 'file ends inside a section header')
        break
      }
      const bom = src.view.getUint32(src.pos + 8, true)
      if (bom === BYTE_ORDER_MAGIC) le = true
      else if (bom === 0x4d3c2b1a) le = false
      else {
        const what = `section header at offset ${start} has a bad byte-order magic ${bom.toString(16).padStart(8, '0')}`
        if (sections === 0) throw new CaptureFileError(path, `not a valid pcapng file: ${what}`)
        corrupt(start, what)
        break
      }
    }
    const len = src.view.getUint32(src.pos + 4, le)
    const bad =
      len < 12 || len % 4 !== 0 ? `impossible block length ${len}` :
      type === PCAPNG_SHB_TYPE && len < 8 + SHB_FIXED + 4 ? `section header block length ${len} is too small` :
      len > src.remaining ? `file ends inside a block of ${len} bytes (${src.remaining} left)` :
      len > maxRecord ? `block of ${len} bytes is over the ${maxRecord}-byte limit` :
      null
    if (bad !== null) {
      if (sections === 0) throw new CaptureFileError(path, `pcapng section header cut short or corrupt: ${bad}`)
      // a file cut at its end leaves part of one block there: a block claiming more than is left,
      // while more than any usual block (1 MiB) is left, has a damaged length
      if (len > src.remaining && len >= 12 && len % 4 === 0 && len <= maxRecord && src.remaining <= CUT_TAIL) stop(start, `block at offset ${start}: ${bad}`)
      else if (len > src.remaining && src.remaining > CUT_TAIL) corrupt(start, `block at offset ${start}: ${bad}, but the file goes on for more than a whole block: the length is corrupt`)
      else corrupt(start, `block at offset ${start}: ${bad}`)
      break
    }
    if (!src.ensure(len)) {
      // len <= remaining and <= the buffer limit, so only a file shrinking under us gets here
      stop(start, `file ends inside a block of ${len} bytes (it shrank while being read)`)
      break
    }
    const p = src.pos
    const v = src.view
    if (v.getUint32(p + len - 4, le) !== len) {
      const what = `block at offset ${start}: its two length fields disagree (${len} and ${v.getUint32(p + len - 4, le)})`
      if (sections === 0) throw new CaptureFileError(path, `corrupt pcapng section header: ${what}`)
      corrupt(start, what)
      break
    }
    const body = p + 8
    const bodyLen = len - 12

    let problem: string | null = null
    switch (type) {
      case PCAPNG_SHB_TYPE: {
        const major = v.getUint16(body + 4, le)
        const minor = v.getUint16(body + 6, le)
        if (major !== 1) {
          if (sections === 0) throw new CaptureFileError(path, `unsupported pcapng version ${major}.${minor} (only 1.x exists)`)
          problem = `section ${sections + 1} has unsupported pcapng version ${major}.${minor}`
          break
        }
        sections++
        ifaces = [] // interface ids restart in every section
        break
      }
      case IDB: {
        if (bodyLen < IDB_FIXED) {
          problem = `interface description block of ${len} bytes is too short`
          break
        }
        ifaces.push(parseInterface(v, body, bodyLen, le, result.warnings))
        break
      }
      case EPB:
      case PB: {
        if (bodyLen < EPB_FIXED) {
          problem = `packet block of ${len} bytes is too short`
          break
        }
        const id = type === EPB ? v.getUint32(body, le) : v.getUint16(body, le)
        const capLen = v.getUint32(body + 12, le)
        if (id >= ifaces.length) {
          problem = `packet on interface ${id}, but the section has ${ifaces.length} interface(s)`
          break
        }
        if (capLen > bodyLen - EPB_FIXED) {
          problem = `packet block claims ${capLen} captured bytes but holds at most ${bodyLen - EPB_FIXED}`
          break
        }
        const ifc = ifaces[id]!
        setTimestamp(rec, ifc, v.getUint32(body + 4, le), v.getUint32(body + 8, le))
        rec.iface = id
        rec.linkType = ifc.linkType
        rec.capLen = capLen
        rec.origLen = v.getUint32(body + 16, le)
        rec.buf = src.buf
        rec.off = body + EPB_FIXED
        break
      }
      case SPB: {
        if (bodyLen < SPB_FIXED) {
          problem = `simple packet block of ${len} bytes is too short`
          break
        }
        if (ifaces.length === 0) {
          problem = 'simple packet block before any interface description'
          break
        }
        const ifc = ifaces[0]!
        const origLen = v.getUint32(body, le)
        // No captured-length field: it is min(original length, IDB snaplen) (the body may carry up
        // to 3 bytes of padding, so the block length alone is not it). A block too short for that
        // is cut to what it holds rather than rejected.
        let capLen = ifc.snaplen !== 0 && origLen > ifc.snaplen ? ifc.snaplen : origLen
        if (capLen > bodyLen - SPB_FIXED) capLen = bodyLen - SPB_FIXED
        // No timestamp: keep the previous packet's (rec is reused), 0 for the first packet.
        // Wireshark shows such frames without any time.
        rec.iface = 0
        rec.linkType = ifc.linkType
        rec.capLen = capLen
        rec.origLen = origLen
        rec.buf = src.buf
        rec.off = body + SPB_FIXED
        break
      }
      default:
        // NRB, ISB, DSB, custom blocks, anything unknown: not packets. Wireshark lists custom
        // blocks as frames of their own, so they take a frame number (evidence must match
        // the frame numbers an engineer sees in Wireshark).
        if (type === CB_COPY || type === CB_NOCOPY) frameNo++
        src.skip(len)
        continue
    }
    if (problem !== null) {
      corrupt(start, `block at offset ${start}: ${problem}`)
      break
    }
    src.skip(len)
    if (type === PCAPNG_SHB_TYPE || type === IDB) continue

    if (rec.linkType !== lastLinkType) {
      lastLinkType = rec.linkType
      if (!result.linkTypes.includes(lastLinkType)) result.linkTypes.push(lastLinkType)
    }
    result.packets++
    rec.frame = ++frameNo
    sink(rec)
  }
}

/** Decodes an IDB body (link type, snaplen, if_tsresol, if_tsoffset). */
export function parseInterface(v: DataView, body: number, bodyLen: number, le: boolean, warnings: string[]): Interface {
  const ifc: Interface = {
    linkType: v.getUint16(body, le),
    snaplen: v.getUint32(body + 4, le),
    tsDigits: 6,
    unitsPerSec: 1_000_000,
    nsPerUnit: 1000,
    bigUnits: 0n,
    tsOffset: 0,
  }
  // Options: code u16 | length u16 | value, padded to 4 bytes; code 0 ends the list.
  const end = body + bodyLen
  let o = body + IDB_FIXED
  while (o + 4 <= end) {
    const code = v.getUint16(o, le)
    const olen = v.getUint16(o + 2, le)
    if (code === OPT_END) break
    if (o + 4 + olen > end) {
      warn(warnings, 'an interface description has options running past its block (ignored the rest)')
      break
    }
    if (code === IF_TSRESOL && olen >= 1) setResolution(ifc, v.getUint8(o + 4), warnings)
    else if (code === IF_TSOFFSET && olen >= 8) {
      // signed 64-bit seconds; any sane value fits a double exactly
      ifc.tsOffset = v.getInt32(o + 4 + (le ? 4 : 0), le) * 4294967296 + v.getUint32(o + 4 + (le ? 0 : 4), le)
    }
    o += 4 + ((olen + 3) & ~3)
  }
  return ifc
}

/**
 * if_tsresol: high bit clear → 10^-k seconds per unit, set → 2^-k. Default 10^-6.
 * 10^-k with k <= 9 keeps to exact double arithmetic; finer or binary resolutions use BigInt.
 */
function setResolution(ifc: Interface, r: number, warnings: string[]): void {
  const k = r & 0x7f
  if (r & 0x80) {
    if (k > 63) return warn(warnings, `unsupported if_tsresol 2^-${k} (using microseconds)`)
    ifc.tsDigits = 9
    ifc.unitsPerSec = 0
    ifc.bigUnits = 1n << BigInt(k)
  } else {
    if (k > 19) return warn(warnings, `unsupported if_tsresol 10^-${k} (using microseconds)`)
    ifc.tsDigits = Math.min(k, 9)
    if (k <= 9) {
      ifc.unitsPerSec = 10 ** k
      ifc.nsPerUnit = 10 ** (9 - k)
    } else {
      ifc.unitsPerSec = 0
      ifc.bigUnits = 10n ** BigInt(k)
    }
  }
}

/**
 * Sets rec.tsSec/tsNsec from a 64-bit unit count (hi:lo). Like Wireshark: seconds = units / rate,
 * nanoseconds = the remainder scaled down (truncated), then if_tsoffset added to the seconds.
 * For rates up to 10^9 this is a long division in 16-bit digits: every intermediate value stays
 * below 2^46, so it is exact without BigInt (ns counts since 1970 do not fit a double).
 */
export function setTimestamp(rec: PacketRecord, ifc: Interface, hi: number, lo: number): void {
  rec.tsDigits = ifc.tsDigits
  const d = ifc.unitsPerSec
  if (d !== 0) {
    let r = hi >>> 16
    const q3 = Math.floor(r / d)
    r = (r - q3 * d) * 65536 + (hi & 0xffff)
    const q2 = Math.floor(r / d)
    r = (r - q2 * d) * 65536 + (lo >>> 16)
    const q1 = Math.floor(r / d)
    r = (r - q1 * d) * 65536 + (lo & 0xffff)
    const q0 = Math.floor(r / d)
    r -= q0 * d
    rec.tsSec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0 + ifc.tsOffset
    rec.tsNsec = r * ifc.nsPerUnit
  } else {
    const units = (BigInt(hi) << 32n) | BigInt(lo)
    rec.tsSec = Number(units / ifc.bigUnits) + ifc.tsOffset
    rec.tsNsec = Number(((units % ifc.bigUnits) * 1_000_000_000n) / ifc.bigUnits)
  }
}

function warn(warnings: string[], w: string): void {
  if (!warnings.includes(w)) warnings.push(w)
}
