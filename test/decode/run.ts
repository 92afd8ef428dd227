// Runs the Dissector over a fixture capture and groups the events by frame.

import {join} from 'node:path'
import type {PacketRecord} from '../../src/capture/record.js'
import {Dissector} from '../../src/decode/dissect.js'
import type {ArpEvent, DecodedEvent, DecodeStats, NdEvent, TrafficEvent, VrrpEvent} from '../../src/decode/events.js'
import {readCapture} from '../helpers/mini-pcap.js'
import {FIXTURES} from '../helpers/tshark-ref.js'

export interface Run {
  records: PacketRecord[]
  events: DecodedEvent[]
  stats: DecodeStats
  byFrame(kind: 'arp'): Map<number, ArpEvent[]>
  byFrame(kind: 'nd'): Map<number, NdEvent[]>
  byFrame(kind: 'vrrp'): Map<number, VrrpEvent[]>
  byFrame(kind: 'traffic'): Map<number, TrafficEvent[]>
}

export function dissectFixture(capture: string): Run {
  const records = readCapture(join(FIXTURES, capture))
  const events: DecodedEvent[] = []
  // the traffic event is reused by the Dissector: keep a copy
  const d = new Dissector((ev) => events.push({...ev}))
  for (const r of records) d.dissect(r)
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
