// Runs drcheck's reader and Dissector over a fixture capture (test/helpers/dissect-file.ts) and
// groups the events by frame.

import {join} from 'node:path'
import type {PacketRecord} from '../../src/capture/record.js'
import type {ArpEvent, DecodedEvent, DecodeStats, NdEvent, TrafficEvent, VrrpEvent} from '../../src/decode/events.js'
import {dissectFile} from '../helpers/dissect-file.js'
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
  return dissectFile(join(FIXTURES, capture))
}
