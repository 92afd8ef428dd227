// Classic libpcap files ("pcap"): a 24-byte file header, then records of a 16-byte header and the
// captured bytes. https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
//
//   file header   magic u32 | major u16 | minor u16 | thiszone i32 | sigfigs u32 | snaplen u32 | linktype u32
//   record header ts_sec u32 | ts_frac u32 | incl_len u32 | orig_len u32 | incl_len bytes of data
//
// The magic, read in the writer's byte order, is a1b2c3d4 (fraction in µs) or a1b23c4d (in ns);
// read in ours it tells the byte order of every other field.

import {CaptureFileError} from '../lib/errors.js'
import type {ReadContext} from './file.js'

export const PCAP_HEADER_LEN = 24
export const PCAP_RECORD_HEADER_LEN = 16
export const PCAP_MAGIC_US = 0xa1b2c3d4
export const PCAP_MAGIC_NS = 0xa1b23c4d
/** The four magics as the first four bytes read big-endian: µs BE, µs LE, ns BE, ns LE. */
export const PCAP_MAGICS: readonly number[] = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]

export interface PcapHeader {
  littleEndian: boolean
  nanos: boolean
  versionMajor: number
  versionMinor: number
  snaplen: number
  /** LT_LINKTYPE(field): the low 16 bits of the link-type field */
  linkType: number
  /** bytes of FCS at the end of each frame, when the header says so (LT_FCS_LENGTH_PRESENT) */
  fcsBytes: number | null
}

/** Decodes a 24-byte pcap file header; the caller has checked the magic is one of PCAP_MAGICS. */
export function parsePcapHeader(v: DataView, at = 0): PcapHeader {
  const be = v.getUint32(at, false)
  const littleEndian = be === 0xd4c3b2a1 || be === 0x4d3cb2a1
  const field = v.getUint32(at + 20, littleEndian)
  // libpcap pcap-common.h: LT_LINKTYPE(x) = x & 0xFFFF; bit 26 = "FCS length present",
  // bits 28-31 = FCS length in 16-bit units; bits 16-25 are reserved.
  const fcsBytes = field & 0x04000000 ? ((field >>> 28) & 0xf) * 2 : null
  return {
    littleEndian,
    nanos: be === 0xa1b23c4d || be === 0x4d3cb2a1,
    versionMajor: v.getUint16(at + 4, littleEndian),
    versionMinor: v.getUint16(at + 6, littleEndian),
    snaplen: v.getUint32(at + 16, littleEndian),
    linkType: field & 0xffff,
    fcsBytes,
  }
}

/** Reads the header and all records of a pcap file (format already detected from the magic). */
export function readPcap(ctx: ReadContext): void {
  const {path, src, rec, sink, result, maxRecord} = ctx
  if (!src.ensure(PCAP_HEADER_LEN)) {
    throw new CaptureFileError(path, `pcap file header cut short: ${src.size} of ${PCAP_HEADER_LEN} bytes`)
  }
  const h = parsePcapHeader(src.view, src.pos)
  // thiszone and sigfigs are ignored, as libpcap and Wireshark do (writers always put 0 there).
  if (h.versionMajor !== 2) {
    throw new CaptureFileError(path, `unsupported pcap version ${h.versionMajor}.${h.versionMinor} (only 2.x exists)`)
  }
  src.skip(PCAP_HEADER_LEN)
  if (h.fcsBytes !== null) {
    result.warnings.push(`the link-type field says every frame ends with a ${h.fcsBytes}-byte FCS`)
  }
  result.linkTypes.push(h.linkType)

  const le = h.littleEndian
  const fracLimit = h.nanos ? 1_000_000_000 : 1_000_000
  const fracToNs = h.nanos ? 1 : 1000
  // libpcap: files older than 2.3 may have incl_len and orig_len swapped; it swaps them back
  // when incl_len > orig_len. We do the same.
  const maybeSwapped = h.versionMinor < 3
  rec.linkType = h.linkType
  rec.tsDigits = h.nanos ? 9 : 6
  rec.iface = 0

  let overSnaplen = 0
  let overOrig = 0
  let badFraction = 0
  const snaplen = h.snaplen
  /** the most a file cut inside its last record can have left at that point */
  const tailLimit = PCAP_RECORD_HEADER_LEN + Math.max(262144, Math.min(snaplen, maxRecord))
  for (;;) {
    // The common case at reading speed: whole, ordinary records already in the buffer. Anything
    // else (a record across the buffer's end, a length or fraction out of range) is left to the
    // careful loop below, one record at a time.
    {
      const b = src.buf, v = src.view, end = src.end
      let p = src.pos
      while (p + PCAP_RECORD_HEADER_LEN <= end) {
        const incl = v.getUint32(p + 8, le)
        const orig = v.getUint32(p + 12, le)
        const frac = v.getUint32(p + 4, le)
        const next = p + PCAP_RECORD_HEADER_LEN + incl
        if (next > end || incl > orig || incl > snaplen || incl > maxRecord || frac >= fracLimit) break
        result.packets++
        rec.frame = result.packets
        rec.tsSec = v.getUint32(p, le)
        rec.tsNsec = frac * fracToNs
        rec.capLen = incl
        rec.origLen = orig
        rec.buf = b
        rec.off = p + PCAP_RECORD_HEADER_LEN
        p = next
        src.pos = p
        sink(rec)
      }
    }
    if (!src.ensure(PCAP_RECORD_HEADER_LEN)) {
      if (src.remaining > 0) {
        result.truncated = {
          offset: src.offset,
          message: `file ends inside the header of record ${result.packets + 1} (${src.remaining} of ${PCAP_RECORD_HEADER_LEN} bytes)`,
        }
      }
      break
    }
    let p = src.pos
    const v = src.view
    let sec = v.getUint32(p, le)
    let frac = v.getUint32(p + 4, le)
    let incl = v.getUint32(p + 8, le)
    let orig = v.getUint32(p + 12, le)
    if (incl > orig) {
      if (maybeSwapped) [incl, orig] = [orig, incl]
      else if (overOrig++ === 0) {
        // no capture holds more bytes of a frame than the frame had: records read out of step
        // (a damaged region before) or a damaged header. Read on, but never judge it a pass.
        result.suspect = {offset: src.offset, message: `record ${result.packets + 1} claims ${incl} captured bytes of a ${orig}-byte frame, which no capture can hold: the file is probably damaged from here on`}
      }
    }
    if (incl > maxRecord) {
      // never allocate or wait for a length read from the file beyond the limit
      result.corrupt = {offset: src.offset, message: `record ${result.packets + 1} claims ${incl} captured bytes, over the ${maxRecord}-byte limit`}
      break
    }
    if (!src.ensure(PCAP_RECORD_HEADER_LEN + incl)) {
      if (src.remaining > tailLimit) {
        // a file cut at its end (tcpdump killed) leaves less than one whole record there; this one
        // claims more than is left while much more than any record is left: its length is damaged
        result.corrupt = {offset: src.offset, message: `record ${result.packets + 1} claims ${incl} captured bytes, more than the ${src.remaining - PCAP_RECORD_HEADER_LEN} left, but the file goes on for more than a whole record: the length is corrupt`}
        break
      }
      if ((incl > orig && !maybeSwapped) || incl > Math.max(snaplen, 262144)) {
        // an impossible last record (more captured than on the wire, or more than the snaplen and
        // any link's largest frame: a writer killed mid-record never wrote such a length) is
        // garbage, not a cut record
        result.corrupt = {offset: src.offset, message: `record ${result.packets + 1} claims ${incl} captured bytes (of a ${orig}-byte frame; snaplen ${snaplen}) and runs past the end of the file: damaged, not cut`}
        break
      }
      result.truncated = {
        offset: src.offset,
        message: `file ends inside record ${result.packets + 1}: it needs ${PCAP_RECORD_HEADER_LEN + incl} bytes, ${src.remaining} are left`,
      }
      break
    }
    p = src.pos // ensure() may have moved the window
    if (incl > h.snaplen) overSnaplen++
    if (frac >= fracLimit) {
      // Not valid, but seen in fuzzed files: carry the whole seconds instead of producing an
      // out-of-range tsNsec.
      badFraction++
      sec += Math.floor(frac / fracLimit)
      frac %= fracLimit
    }
    result.packets++
    rec.frame = result.packets
    rec.tsSec = sec
    rec.tsNsec = frac * fracToNs
    rec.capLen = incl
    rec.origLen = orig
    rec.buf = src.buf
    rec.off = p + PCAP_RECORD_HEADER_LEN
    src.skip(PCAP_RECORD_HEADER_LEN + incl)
    sink(rec)
  }

  // Wireshark keeps such records as they are (libpcap would cut them to the snaplen); so do we.
  if (overSnaplen) result.warnings.push(`${overSnaplen} record(s) hold more bytes than the file's snaplen ${h.snaplen} (kept as in the file)`)
  if (overOrig) result.warnings.push(`${overOrig} record(s) have a captured length larger than the original length`)
  if (badFraction) result.warnings.push(`${badFraction} record(s) have a sub-second timestamp field out of range (carried into the seconds)`)
}
