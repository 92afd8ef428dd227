// Reading a capture file: open it, tell pcap from pcapng by the magic number (never by the file
// name: ndpi's pop3.pcap is really pcapng), and stream it through a bounded chunk buffer.
//
// Memory: the buffer starts at min(file size, 4 MiB) and grows only when one record (pcap) or one
// block (pcapng) is larger than it, never past `maxRecord` (+ the header). Lengths read from the
// file are checked against that limit AND against the bytes left in the file before anything is
// allocated or read, so a garbage length can neither make us allocate gigabytes nor wait for bytes
// that do not exist.
//
// Errors: a file that cannot be read at all (missing, directory, empty, not a capture, cut inside
// its file header, unsupported version) throws CaptureFileError, and so does a file that is cut or
// corrupt before its first complete frame (nothing could be judged).
// A file that ends inside a record (tcpdump killed mid-write) is not an error: every complete
// frame is delivered and `truncated` says where the incomplete part starts. A structure that is
// impossible in the middle of the file (a pcapng block whose lengths disagree, a packet before its
// interface, a pcap record over the limit …) stops the read too, but is reported as `corrupt`:
// what came before is analysed and the overall verdict cannot be a clean pass.

import {closeSync, fstatSync, openSync, readSync, statSync} from 'node:fs'
import {CaptureFileError} from '../lib/errors.js'
import {newRecord, type PacketRecord, type PacketSink} from './record.js'
import {PCAP_MAGICS, readPcap} from './pcap.js'
import {PCAPNG_SHB_TYPE, readPcapng} from './pcapng.js'
import {Prefetcher} from './prefetch.js'

export interface FileReadResult {
  /** packet records delivered (pcapng: EPB + SPB + PB; custom and other blocks are not packets) */
  packets: number
  /** distinct LINKTYPE_* values, in the order first seen (pcap: the header's, even with 0 packets) */
  linkTypes: number[]
  format: 'pcap' | 'pcapng'
  /** things the user may want to know that did not stop the read (each at most once per kind) */
  warnings: string[]
  /** set when the file ends inside a record or block (cut at EOF): where reading stopped */
  truncated: null | {offset: number; message: string}
  /** set when an impossible structure stopped the read before the end of the file */
  corrupt: null | {offset: number; message: string}
  /** set when a record is impossible but the read went on (as Wireshark does): the file is
   *  probably damaged from there on, so the verdict is at best inconclusive */
  suspect?: {offset: number; message: string}
}

export interface ReadOptions {
  /** largest record (pcap) or block (pcapng) accepted, in bytes; default and ceiling 256 MiB */
  maxRecord?: number
  /** files at least this big are read ahead by a worker thread (src/capture/prefetch.ts); default
   *  64 MiB, Infinity never (DRCHECK_PREFETCH=0 does the same) */
  prefetchFrom?: number
  /** tests: the read-ahead's chunk and the room before it */
  prefetchSlot?: {bytes: number, room: number}
}

const PREFETCH_FROM = 64 * 1024 * 1024

export const MAX_RECORD = 256 * 1024 * 1024
const CHUNK = 4 * 1024 * 1024
/** room above maxRecord for the record/block framing around the packet bytes */
const FRAMING = 64

/** Everything a format reader needs; built once per file. */
export interface ReadContext {
  readonly path: string
  readonly src: ChunkReader
  readonly rec: PacketRecord
  readonly sink: PacketSink
  readonly result: FileReadResult
  readonly maxRecord: number
}

/**
 * A forward-only window on a file. `buf[pos, end)` holds file bytes `[offset, offset + available)`.
 * `ensure(n)` makes n bytes at `pos` available (reading, compacting or growing the buffer) or says
 * the file does not have them. Views handed out of `buf` stay valid only until the next `ensure`.
 */
export class ChunkReader {
  buf: Uint8Array
  view: DataView
  pos = 0
  /** buf[pos, end) holds file bytes (a reader may run through them without ensure()) */
  end = 0
  /** file offset of buf[0] */
  private base = 0
  /** read-ahead, while it is used: buf is then its slot `slot` */
  private pf: Prefetcher | null = null
  private slot = -1

  constructor(
    /** the open file, or the bytes themselves (in-memory reads: the fuzzer, tests) */
    private readonly fd: number | Uint8Array,
    /** file size when opened; bytes appended later are not read */
    readonly size: number,
    private readonly maxBuffer: number,
    chunk = CHUNK,
  ) {
    this.buf = new Uint8Array(Math.max(64, Math.min(chunk, size)))
    this.view = new DataView(this.buf.buffer)
  }

  /** file offset of buf[pos] */
  get offset(): number {
    return this.base + this.pos
  }

  /** bytes of the file from `offset` to its end */
  get remaining(): number {
    return this.size - this.base - this.pos
  }

  /** Makes buf[pos, pos + n) hold file bytes; false (and nothing read) if the file is shorter. */
  ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true
    if (n > this.remaining) return false
    if (n > this.maxBuffer) throw new Error(`ChunkReader: ${n} bytes requested, limit ${this.maxBuffer}`) // caller bug
    return this.load(n)
  }

  /** Moves the read position n bytes on (n <= what the last ensure made available). */
  skip(n: number): void {
    this.pos += n
  }

  /** Reads through a Prefetcher from the next load on (the reader must be at the file's start). */
  usePrefetcher(pf: Prefetcher): void {
    this.pf = pf
  }

  /** Stops the read-ahead (end of the file, or an error). */
  close(): void {
    this.pf?.stop()
    this.pf = null
  }

  /** The next slot of the read-ahead, with the unread bytes joined in front of its data; null to
   *  go on with plain reads (a record longer than a slot, leftovers longer than the room, or the
   *  worker failed). */
  private loadSlot(n: number): boolean | null {
    const pf = this.pf!
    const keep = this.end - this.pos
    const s = keep <= pf.room ? pf.take() : null
    if (s === null || (n > keep + s.length && s.length === pf.slotBytes)) {
      // go on without it from the current position: own buffer, plain reads
      if (s !== null) pf.release(s.index)
      if (this.slot >= 0) {
        const own = new Uint8Array(Math.max(CHUNK, n))
        own.set(this.buf.subarray(this.pos, this.end))
        pf.release(this.slot)
        this.base += this.pos
        this.buf = own
        this.view = new DataView(own.buffer)
        this.pos = 0
        this.end = keep
        this.slot = -1
      }
      this.close()
      return null
    }
    s.buf.set(this.buf.subarray(this.pos, this.end), pf.room - keep)
    if (this.slot >= 0) pf.release(this.slot)
    this.slot = s.index
    this.buf = s.buf
    this.view = s.view
    this.base = s.fileOffset - pf.room
    this.pos = pf.room - keep
    this.end = pf.room + s.length
    // short only at the end of the file; shorter than asked only if the file shrank meanwhile
    return this.end - this.pos >= n
  }

  private load(n: number): boolean {
    if (this.pf !== null) {
      const r = this.loadSlot(n)
      if (r !== null) return r
    }
    const keep = this.end - this.pos
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.maxBuffer, Math.max(n, this.buf.length * 2)))
      grown.set(this.buf.subarray(this.pos, this.end))
      this.buf = grown
      this.view = new DataView(grown.buffer)
    } else {
      this.buf.copyWithin(0, this.pos, this.end)
    }
    this.base += this.pos
    this.pos = 0
    this.end = keep
    while (this.end < n) {
      const want = Math.min(this.buf.length - this.end, this.size - this.base - this.end)
      const got = typeof this.fd === 'number'
        ? readSync(this.fd, this.buf, this.end, want, this.base + this.end)
        : copyFrom(this.fd, this.buf, this.end, want, this.base + this.end)
      if (got === 0) return false // the file shrank while we read it
      this.end += got
    }
    return true
  }
}

/**
 * Reads every packet record of a pcap or pcapng file into `sink`, synchronously.
 * One PacketRecord object is reused for all packets and its `data` is a view into the read buffer:
 * a sink that keeps anything must copy it.
 */
export function readCaptureFile(path: string, input: number, sink: PacketSink, opts: ReadOptions = {}): FileReadResult {
  const maxRecord = Math.min(opts.maxRecord ?? MAX_RECORD, MAX_RECORD)
  const fd = openOrThrow(path)
  try {
    const st = fstatSync(fd)
    if (st.isDirectory()) throw new CaptureFileError(path, 'is a directory, not a capture file')
    if (!st.isFile()) throw new CaptureFileError(path, 'is not a regular file (pipes and devices cannot be replayed)')
    const from = process.env.DRCHECK_PREFETCH === '0' ? Infinity : opts.prefetchFrom ?? PREFETCH_FROM
    const pf = st.size >= from && st.size > 0 ? Prefetcher.start(path, st.size, st.dev, st.ino, opts.prefetchSlot) : null
    return readFrom(fd, st.size, path, input, sink, maxRecord, pf)
  } finally {
    closeSync(fd)
  }
}

/** The same reader over bytes in memory (`name` stands for the path in messages). */
export function readCaptureBytes(bytes: Uint8Array, name: string, input: number, sink: PacketSink, opts: ReadOptions = {}): FileReadResult {
  return readFrom(bytes, bytes.length, name, input, sink, Math.min(opts.maxRecord ?? MAX_RECORD, MAX_RECORD))
}

function copyFrom(from: Uint8Array, to: Uint8Array, at: number, n: number, pos: number): number {
  const part = from.subarray(pos, Math.min(pos + n, from.length))
  to.set(part, at)
  return part.length
}

function readFrom(fd: number | Uint8Array, size: number, path: string, input: number, sink: PacketSink, maxRecord: number, pf: Prefetcher | null = null): FileReadResult {
  const src = new ChunkReader(fd, size, maxRecord + FRAMING)
  if (pf) src.usePrefetcher(pf)
  try {
    if (size === 0) throw new CaptureFileError(path, 'is empty (0 bytes), not a capture file')
    const head = Math.min(4, size)
    src.ensure(head)
    const result: FileReadResult = {packets: 0, linkTypes: [], format: 'pcap', warnings: [], truncated: null, corrupt: null}
    const ctx: ReadContext = {path, src, rec: newRecord(input), sink, result, maxRecord}
    if (head < 4) {
      const first = src.buf.subarray(src.pos, src.pos + head)
      const what = isMagicPrefix(first) ? 'file header cut short' : 'not a pcap or pcapng file'
      throw new CaptureFileError(path, `${what}: only ${head} byte(s) (${hex(first)})`)
    }
    const magic = src.view.getUint32(src.pos, false)
    if (PCAP_MAGICS.includes(magic)) {
      readPcap(ctx)
    } else if (magic === PCAPNG_SHB_TYPE) {
      result.format = 'pcapng'
      readPcapng(ctx)
    } else {
      src.ensure(Math.min(8, src.size))
      throw new CaptureFileError(path, notCaptureMessage(magic, src.buf.subarray(src.pos, src.pos + Math.min(8, src.size))))
    }
    const stop = result.corrupt ?? result.truncated
    if (stop && result.packets === 0) {
      // nothing could be judged: an error, not an (empty) verdict
      throw new CaptureFileError(path, `${result.corrupt ? 'corrupt' : 'cut short'} at byte offset ${stop.offset} before any complete frame: ${stop.message}`)
    }
    return result
  } finally {
    src.close()
  }
}

function openOrThrow(path: string): number {
  // a FIFO or device would block open() or never end: refuse anything that is not a regular file first
  try {
    const st = statSync(path)
    if (st.isFIFO() || st.isSocket()) throw new CaptureFileError(path, 'is a pipe or socket, not a capture file (write the capture to a file first)')
  } catch (error) {
    if (error instanceof CaptureFileError) throw error
  }
  try {
    return openSync(path, 'r')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const what =
      code === 'ENOENT' ? (path === '-' ? 'no such file (reading a capture from stdin is not supported: write it to a file first)' : 'no such file') :
      code === 'EACCES' || code === 'EPERM' ? 'permission denied (cannot read the file)' :
      code === 'EISDIR' ? 'is a directory, not a capture file' :
      `cannot open: ${(e as Error).message}`
    throw new CaptureFileError(path, what)
  }
}

const ALL_MAGICS = [...PCAP_MAGICS, PCAPNG_SHB_TYPE]

function isMagicPrefix(b: Uint8Array): boolean {
  return ALL_MAGICS.some((m) => b.every((x, i) => x === ((m >>> (24 - 8 * i)) & 0xff)))
}

function notCaptureMessage(magic: number, first: Uint8Array): string {
  const start = `starts with ${hex(first)}`
  if (magic === 0xa1b2cd34 || magic === 0x34cdb2a1) return `modified ("Kuznetzov") pcap format is not supported (${start}); convert it with editcap`
  if (magic >>> 16 === 0x1f8b) return `not a pcap or pcapng file: gzip-compressed (${start}); gunzip it first`
  if (magic === 0x28b52ffd) return `not a pcap or pcapng file: zstd-compressed (${start}); decompress it first`
  return `not a pcap or pcapng file (${start})`
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ')
}

