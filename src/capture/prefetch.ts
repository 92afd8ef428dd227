// Read-ahead for big capture files: a worker thread reads the next chunks of the file into shared
// slots while the main thread decodes the current one, so the copy from the page cache (about a
// fifth of a replay's time) runs on the other core. The main thread then decodes straight from a
// slot; a record that crosses into the next slot is joined in front of it (each slot keeps room
// for that before its data), so nothing is copied twice.
//
// Safety: the worker opens the file itself (and checks it is the same file); a failed or stalled
// worker, or a record longer than the room before a slot, makes the reader go on with plain reads
// from where it is: the prefetcher only ever makes reading faster, never different.

import {readFileSync} from 'node:fs'
import {Worker} from 'node:worker_threads'

/** control words: [0] stop, [1] worker done (1 failed, 2 ended: no more slots will be filled);
 *  per slot i at 2 + 4i: state (0 free, 1 full), bytes, file offset low 30 bits, high part */
const STOP = 0, DONE = 1, SLOT0 = 2

// Measured on the 10 M-packet bench capture (2 cores): 512 KiB slots (a chunk stays in the cache
// while it is decoded) 4.1-4.8 s; 256 KiB 4.5-5.0 s; 1 MiB 4.9-5.0 s; 4 MiB 5.0-5.6 s, slower than
// plain 4 MiB reads (4.5-5.5 s). The room before a slot takes a record cut by the slot's end: up to
// 64 KiB (jumbo and offloaded frames); a longer one ends the read-ahead for that file.
const SLOT_BYTES = 512 * 1024
const ROOM = 64 * 1024
const SLOTS = 4

const WORKER = `
const {workerData} = require('node:worker_threads')
const {openSync, readSync, fstatSync, closeSync} = require('node:fs')
const {path, size, dev, ino, slotBytes, room, ctl, sabs} = workerData
const bufs = sabs.map((s) => new Uint8Array(s))
function run() {
  const fd = openSync(path, 'r')
  try {
    const st = fstatSync(fd)
    if (st.dev !== dev || st.ino !== ino) throw new Error('not the same file')
    let pos = 0
    for (let i = 0; pos < size; i++) {
      const c = ${SLOT0} + (i % bufs.length) * 4
      while (Atomics.load(ctl, c) !== 0) {
        if (Atomics.load(ctl, ${STOP})) return
        Atomics.wait(ctl, c, 1, 200)
      }
      if (Atomics.load(ctl, ${STOP})) return
      const want = Math.min(slotBytes, size - pos)
      let n = 0
      while (n < want) {
        const got = readSync(fd, bufs[i % bufs.length], room + n, want - n, pos + n)
        if (got === 0) break
        n += got
      }
      ctl[c + 1] = n
      ctl[c + 2] = pos % 0x40000000
      ctl[c + 3] = Math.floor(pos / 0x40000000)
      Atomics.store(ctl, c, 1)
      Atomics.notify(ctl, c)
      pos += n
      if (n < want) return
    }
  } finally {
    closeSync(fd)
  }
}
let done = 2
try { run() } catch { done = 1 }
// the reader may be waiting for a slot that will not come (an error, or the file shrank)
Atomics.store(ctl, ${DONE}, done)
for (let c = ${SLOT0}; c < ctl.length; c += 4) Atomics.notify(ctl, c)
`

/** RLIMIT_AS set (ulimit -v): Linux only says so in /proc/self/limits. */
function addressSpaceLimited(): boolean {
  try {
    const line = /^Max address space\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return line !== null && line[1] !== 'unlimited'
  } catch {
    return false
  }
}

export interface Slot {
  index: number
  buf: Uint8Array
  view: DataView
  /** bytes of file data, from buf[room] */
  length: number
  /** file offset of buf[room] */
  fileOffset: number
}

export class Prefetcher {
  private readonly ctl: Int32Array
  private readonly slots: {buf: Uint8Array, view: DataView}[] = []
  private readonly worker: Worker
  private next = 0
  private stopped = false

  constructor(path: string, size: number, dev: number, ino: number,
    readonly slotBytes = SLOT_BYTES, readonly room = ROOM, count = SLOTS) {
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * (SLOT0 + 4 * count)))
    const sabs: SharedArrayBuffer[] = []
    for (let i = 0; i < count; i++) {
      const sab = new SharedArrayBuffer(room + slotBytes)
      sabs.push(sab)
      this.slots.push({buf: new Uint8Array(sab), view: new DataView(sab)})
    }
    // a small isolate: the worker only reads (and a process under an address-space limit must
    // not be killed by the reservation of a second full-size heap)
    this.worker = new Worker(WORKER, {eval: true, workerData: {path, size, dev, ino, slotBytes, room, ctl: this.ctl, sabs},
      resourceLimits: {maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4, codeRangeSizeMb: 8, stackSizeMb: 1}})
    this.worker.unref()
    this.worker.on('error', () => { Atomics.store(this.ctl, DONE, 1) })
  }

  /** A read-ahead for this file, or null when it cannot run here (no thread can be started, or the
   *  address space is limited: a worker's heap reservation could then abort the process). */
  static start(path: string, size: number, dev: number, ino: number, slot?: {bytes: number, room: number}): Prefetcher | null {
    if (addressSpaceLimited()) return null
    try {
      return new Prefetcher(path, size, dev, ino, slot?.bytes, slot?.room)
    } catch {
      return null // EAGAIN (thread limit) and the like: plain reads
    }
  }

  /** The next chunk of the file, in order; null when the worker failed or stalled (read on plainly). */
  take(): Slot | null {
    if (this.stopped) return null
    const i = this.next
    const c = SLOT0 + i * 4
    let idle = 0
    while (Atomics.load(this.ctl, c) !== 1) {
      // the worker stopped (error, or the file ended early): plain reads from here say what is left
      if (Atomics.load(this.ctl, DONE) !== 0) return null
      // a 512 KiB read takes milliseconds: 5 s without one means the worker is gone
      if (Atomics.wait(this.ctl, c, 0, 1000) === 'timed-out' && ++idle >= 5) return null
    }
    this.next = (i + 1) % this.slots.length
    const s = this.slots[i]!
    return {index: i, buf: s.buf, view: s.view, length: this.ctl[c + 1]!, fileOffset: this.ctl[c + 2]! + this.ctl[c + 3]! * 0x40000000}
  }

  /** Gives a slot back to the worker (its bytes are no longer looked at). */
  release(index: number): void {
    const c = SLOT0 + index * 4
    Atomics.store(this.ctl, c, 0)
    Atomics.notify(this.ctl, c)
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    Atomics.store(this.ctl, STOP, 1)
    for (let c = SLOT0; c < this.ctl.length; c += 4) Atomics.notify(this.ctl, c)
    void this.worker.terminate().catch(() => {})
  }
}
