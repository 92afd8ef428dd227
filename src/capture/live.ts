// Live capture through libpcap (npm package `cap`). Patched by scripts/patch-cap.mjs, the binding
// hands over a kernel block of frames per call with libpcap's (kernel) timestamps and original
// lengths, reports errors as events, and gives libpcap's drop counters (stats()). Unpatched, `cap`
// gives the bytes of each frame and no timestamp: each frame is then stamped when its event fires
// (wall clock anchored once, then a monotonic clock), and drops cannot be counted.

import {createRequire} from 'node:module'
import {DrcheckError} from '../lib/errors.js'
import {LinkType, newRecord, type PacketSink} from './record.js'

const require = createRequire(import.meta.url)

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string
  close(): void
  setMinBytes?: (n: number) => void
  /** patched cap (scripts/patch-cap.mjs) adds the kernel timestamp and original length */
  on(ev: 'packet', cb: (nbytes: number, trunc: boolean, tsSec?: number, tsUsec?: number, origLen?: number) => void): void
  on(ev: 'error', cb: (message: string) => void): void
  /** patched cap: `count` packets in the buffer, `bytes` long: per packet [caplen, origlen, tsSec, tsUsec] (u32) + data padded to 4 */
  on(ev: 'batch', cb: (count: number, bytes: number) => void): void
  removeAllListeners(): void
  send(buffer: Buffer, nBytes?: number): void
  /** patched cap (drcheck-patch-4): libpcap's pcap_stats, or undefined when it cannot say */
  stats?: () => KernelStats | undefined
}

/** libpcap's counters for one capture (pcap_stats): on Linux, `recv` is what passed the filter
 *  (dropped ones included), `drop` what the kernel dropped because the ring buffer was full
 *  (drcheck did not read fast enough), `ifdrop` what the interface itself dropped. */
export interface KernelStats { recv: number, drop: number, ifdrop: number }
interface CapModule {
  Cap: {new (): CapHandle, deviceList(): {name: string, addresses: {addr: string}[], flags?: string}[]}
}

/**
 * Closed cap handles are kept referenced until the process ends: cap 0.2.1 stops its uv_poll
 * handle on close but never uv_close()s it, so a handle collected by the GC leaves freed memory in
 * libuv's handle queue, and its destructor stops a poll handle that a failed open() never
 * initialised: either way the process segfaults when the GC collects one (`drcheck interfaces`).
 */
const closedHandles: unknown[] = []
export function retainClosed(hs: unknown[]): void {
  closedHandles.push(...hs)
}

let capModule: CapModule | null = null
function loadCap(): CapModule {
  if (capModule) return capModule
  try {
    capModule = require('cap') as CapModule
  } catch (error) {
    throw new DrcheckError(`live capture unavailable: the cap module could not load (${(error as Error).message.split('\n')[0]}); install libpcap-dev and run npm ci`)
  }
  return capModule
}

export function listDevices(): {name: string, addresses: string[]}[] {
  return loadCap().Cap.deviceList().map((d) => ({name: d.name, addresses: d.addresses.map((a) => a.addr)}))
}

function linkTypeNumber(name: string): number {
  switch (name) {
    case 'ETHERNET': return LinkType.ETHERNET
    case 'NULL': return LinkType.NULL
    case 'LINKTYPE_LINUX_SLL': return LinkType.LINUX_SLL
    case 'RAW': return LinkType.RAW
    default: {
      const m = /Unknown linktype (\d+)/.exec(name)
      if (m) return Number(m[1])
      return -1
    }
  }
}

/** A clock in ns since the epoch: Date.now() anchored once, advanced by process.hrtime. */
export class WallClock {
  private readonly wall0 = BigInt(Date.now()) * 1_000_000n
  private readonly hr0 = process.hrtime.bigint()
  now(): {sec: number, nsec: number} {
    const ns = this.wall0 + (process.hrtime.bigint() - this.hr0)
    return {sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n)}
  }
}

export interface LiveCapture {
  interfaces: string[]
  packets: number[]
  linkTypes: number[]
  /** the clock that stamps the frames when the binding gives no kernel time (probes and --trigger time themselves on it) */
  clock: WallClock
  /** true once a frame came with libpcap's own (kernel) timestamp */
  kernelTimestamps: boolean
  /** Send one raw frame on the interface at this position (libpcap pcap_sendpacket); throws DrcheckError. */
  send(idx: number, frame: Buffer): void
  /** libpcap's counters per interface (null where the binding cannot give them); call before stop() */
  stats(): (KernelStats | null)[]
  stop(): void
}

/**
 * Open every interface and feed frames to the sink (input index = base + position in the list).
 * Throws DrcheckError with a one-line reason when an interface cannot be opened.
 */
export function startLive(interfaces: string[], filter: string, base: number, sink: PacketSink,
  onError?: (idx: number, message: string) => void): LiveCapture {
  const {Cap} = loadCap()
  const clock = new WallClock()
  const handles: CapHandle[] = []
  const live: LiveCapture = {interfaces, packets: interfaces.map(() => 0), linkTypes: [], clock, kernelTimestamps: false, stop() {
    for (const h of handles) { try { h.removeAllListeners(); h.close() } catch { /* already closed */ } }
    retainClosed(handles)
    handles.length = 0
  }, stats() {
    return interfaces.map((_, i) => {
      const h = handles[i]
      if (!h || typeof h.stats !== 'function') return null
      try { return h.stats() ?? null } catch { return null }
    })
  }, send(idx: number, frame: Buffer) {
    const h = handles[idx]
    if (!h) throw new DrcheckError(`interface ${interfaces[idx] ?? idx}: not capturing, cannot send`)
    try {
      h.send(frame, frame.length)
    } catch (error) {
      throw new DrcheckError(`interface ${interfaces[idx]}: could not send a probe frame: ${(error as Error).message.split('\n')[0]}`)
    }
  }}
  const known = new Set(Cap.deviceList().map((d) => d.name))
  interfaces.forEach((name, idx) => {
    if (!known.has(name)) {
      live.stop()
      throw new DrcheckError(`interface ${name}: no such capture device (see \`ip link\`; capture devices here: ${[...known].slice(0, 12).join(', ')})`)
    }
    const cap = new Cap()
    retainClosed([cap]) // see closedHandles: never collected, even when open() fails
    const buffer = Buffer.alloc(262144)
    let lt: string
    try {
      lt = cap.open(name, filter, 16 * 1024 * 1024, buffer)
    } catch (error) {
      live.stop()
      const msg = (error as Error).message
      if (/permission|not permitted|EPERM/i.test(msg)) {
        throw new DrcheckError(`interface ${name}: no permission to capture (${msg}); run as root or give node CAP_NET_RAW and CAP_NET_ADMIN`)
      }
      throw new DrcheckError(`interface ${name}: capture could not start: ${msg}`)
    }
    cap.setMinBytes?.(0)
    const linkType = linkTypeNumber(lt)
    live.linkTypes.push(linkType)
    const rec = newRecord(base + idx)
    rec.linkType = linkType
    rec.tsDigits = 6
    handles.push(cap)
    cap.on('error', (message: string) => onError?.(idx, message))
    const words = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length >>> 2)
    cap.on('batch', (count: number, bytes: number) => {
      live.kernelTimestamps = true
      let off = 0
      for (let i = 0; i < count && off + 16 <= bytes; i++) {
        const w = off >>> 2
        const capLen = words[w]!
        rec.frame = ++live.packets[idx]
        rec.origLen = words[w + 1]!
        rec.tsSec = words[w + 2]!
        rec.tsNsec = words[w + 3]! * 1000
        rec.capLen = capLen
        rec.buf = buffer
        rec.off = off + 16
        sink(rec)
        off += 16 + ((capLen + 3) & ~3)
      }
    })
    cap.on('packet', (nbytes: number, _trunc: boolean, tsSec?: number, tsUsec?: number, origLen?: number) => {
      rec.frame = ++live.packets[idx]
      if (tsSec !== undefined && tsUsec !== undefined) {
        // libpcap's timestamp: taken by the kernel when the frame arrived
        live.kernelTimestamps = true
        rec.tsSec = tsSec
        rec.tsNsec = tsUsec * 1000
      } else {
        const t = clock.now()
        rec.tsSec = t.sec
        rec.tsNsec = t.nsec
      }
      rec.capLen = nbytes
      rec.origLen = origLen ?? nbytes
      rec.buf = buffer
      rec.off = 0
      sink(rec)
    })
  })
  return live
}
