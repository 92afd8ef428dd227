// Runs drcheck's own reader (src/capture/file.ts) and Dissector over a capture file and groups the
// events by frame. The records and events are copied (the reader and the Dissector reuse theirs).

import {readCaptureFile} from '../../src/capture/file.js'
import {frameBytes, type PacketRecord} from '../../src/capture/record.js'
import {Dissector} from '../../src/decode/dissect.js'
import type {DecodedEvent} from '../../src/decode/events.js'
import type {Run} from '../decode/run.js'

export function dissectFile(path: string): Run {
  const records: PacketRecord[] = []
  const events: DecodedEvent[] = []
  const d = new Dissector((ev) => events.push({...ev, vlans: [...ev.vlans]} as DecodedEvent))
  readCaptureFile(path, 0, (r) => {
    const copy = {...r, buf: frameBytes(r).slice(), off: 0}
    records.push(copy)
    d.dissect(copy)
  })
  return {
    records, events, stats: d.stats,
    byFrame(kind: DecodedEvent['kind']) {
      const m = new Map<number, DecodedEvent[]>()
      for (const e of events) {
        if (e.kind !== kind) continue
        const l = m.get(e.frame)
        if (l) l.push(e)
        else m.set(e.frame, [e])
      }
      return m
    },
  } as Run
}

/** Every capture the differential tests cover: name, path, and the directory of its tshark references. */
export interface Capture { name: string; path: string; refDir: string }
