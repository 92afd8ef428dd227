// Writes PacketRecords as a classic pcap file: little-endian, nanosecond timestamps (magic
// a1b23c4d written LE, i.e. bytes 4d 3c b2 a1), version 2.4. Output is buffered (1 MiB) and
// written synchronously, like the readers.
//
// One pcap file has ONE link type (it is in the file header). Records of any other link type are
// refused with a DrcheckError instead of being written under a wrong header; a caller mixing link
// types (e.g. several capture interfaces) needs one writer per link type, or pcapng.
//
// Records longer than the snaplen are cut to it (orig_len is kept), so the file never contradicts
// its own header.

import {closeSync, openSync, writeSync} from 'node:fs'
import {DrcheckError} from '../lib/errors.js'
import {frameBytes, linkTypeName, type PacketRecord} from './record.js'
import {PCAP_HEADER_LEN, PCAP_MAGIC_NS, PCAP_RECORD_HEADER_LEN} from './pcap.js'

const BUFFER = 1024 * 1024
const MAX_U32 = 0xffffffff

export class PcapWriter {
  private fd: number | null
  private readonly buf = new Uint8Array(BUFFER)
  private readonly view = new DataView(this.buf.buffer)
  private used = 0

  constructor(
    readonly path: string,
    readonly linkType: number,
    readonly snaplen = 262144,
  ) {
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) throw new DrcheckError(`${path}: invalid link type ${linkType}`)
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_U32) throw new DrcheckError(`${path}: invalid snaplen ${snaplen}`)
    try {
      this.fd = openSync(path, 'w')
    } catch (e) {
      throw new DrcheckError(`${path}: cannot create the pcap file: ${(e as Error).message}`)
    }
    const v = this.view
    v.setUint32(0, PCAP_MAGIC_NS, true)
    v.setUint16(4, 2, true) // version 2.4
    v.setUint16(6, 4, true)
    v.setInt32(8, 0, true) // thiszone: always 0
    v.setUint32(12, 0, true) // sigfigs: always 0
    v.setUint32(16, snaplen, true)
    v.setUint32(20, linkType, true)
    this.used = PCAP_HEADER_LEN
  }

  /** Appends one record (copies its bytes; the record may be reused by the caller afterwards). */
  write(rec: PacketRecord): void {
    if (this.fd === null) throw new DrcheckError(`${this.path}: write after close`)
    if (rec.linkType !== this.linkType) {
      throw new DrcheckError(
        `${this.path}: cannot write a ${linkTypeName(rec.linkType)} frame (input ${rec.input}, frame ${rec.frame}) ` +
          `into a pcap file of link type ${linkTypeName(this.linkType)}: one pcap file holds one link type`,
      )
    }
    if (!Number.isInteger(rec.tsSec) || rec.tsSec < 0 || rec.tsSec > MAX_U32) {
      throw new DrcheckError(`${this.path}: timestamp ${rec.tsSec} s (input ${rec.input}, frame ${rec.frame}) does not fit a pcap file`)
    }
    const data = frameBytes(rec)
    const incl = Math.min(data.length, this.snaplen)
    const size = PCAP_RECORD_HEADER_LEN + incl
    if (this.used + size > this.buf.length) this.flush()
    const v = this.view
    const p = this.used
    v.setUint32(p, rec.tsSec, true)
    v.setUint32(p + 4, rec.tsNsec, true)
    v.setUint32(p + 8, incl, true)
    v.setUint32(p + 12, Math.max(rec.origLen, incl), true)
    if (size <= this.buf.length) {
      this.buf.set(data.subarray(0, incl), p + PCAP_RECORD_HEADER_LEN)
      this.used += size
    } else {
      // Larger than the whole buffer: write the header and the data straight out.
      this.used += PCAP_RECORD_HEADER_LEN
      this.flush()
      writeAll(this.fd, data.subarray(0, incl))
    }
  }

  /** Writes out what is buffered. */
  flush(): void {
    if (this.fd === null || this.used === 0) return
    writeAll(this.fd, this.buf.subarray(0, this.used))
    this.used = 0
  }

  /** Flushes and closes the file; further calls do nothing. */
  close(): void {
    if (this.fd === null) return
    try {
      this.flush()
    } finally {
      closeSync(this.fd)
      this.fd = null
    }
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0
  while (off < b.length) off += writeSync(fd, b, off, b.length - off)
}
