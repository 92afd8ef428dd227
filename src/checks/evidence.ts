// Turning frames into the evidence a finding carries.

import type {FrameRef} from '../decode/events.js'
import type {Knowledge} from './context.js'
import type {Finding, FindingKind, Severity} from './types.js'
import {isoTime} from './types.js'

export function finding(
  k: Knowledge, kind: FindingKind, severity: Severity, at: FrameRef | null,
  fields: {mac?: string, ip?: string, relatedFrame?: number}, message: string,
): Finding {
  const f: Finding = {kind, severity, message: k.decorate(message)}
  if (at) {
    const input = k.inputs[at.input]
    if (input?.kind === 'interface') f.interface = input.name
    else if (input) f.file = input.name
    f.frame = at.frame
    f.time = isoTime(at)
  }
  if (fields.mac) f.mac = fields.mac
  if (fields.ip) f.ip = fields.ip
  if (fields.relatedFrame !== undefined) f.relatedFrame = fields.relatedFrame
  // the inventory's name for the MAC (or, failing that, the address) the finding is about
  const host = (fields.mac ? k.hostOf(fields.mac) : undefined) ?? (fields.ip ? k.hostOf(fields.ip) : undefined)
  if (host) f.host = host.name
  return f
}

/** "frame 12 (lan.pcapng)" — how a message points at a frame. */
export function where(k: Knowledge, at: FrameRef): string {
  const name = k.inputs[at.input]?.name ?? `input ${at.input}`
  return `frame ${at.frame} of ${name}`
}

/** Keeps at most `limit` findings per kind so a flood of one fault stays readable; counts the rest. */
export class FindingList {
  readonly items: Finding[] = []
  private readonly perKind = new Map<string, number>()
  constructor(private readonly limit = 20) {}

  add(f: Finding): void {
    const key = `${f.kind}/${f.severity}`
    const n = (this.perKind.get(key) ?? 0) + 1
    this.perKind.set(key, n)
    if (n <= this.limit) this.items.push(f)
  }

  /** Findings plus one info line per kind that was cut. */
  list(): Finding[] {
    const out = [...this.items]
    for (const [key, n] of this.perKind) {
      if (n > this.limit) {
        const [kind, severity] = key.split('/') as [FindingKind, Severity]
        out.push({kind, severity: severity === 'fail' ? 'info' : severity, message: `${n - this.limit} more ${kind} findings not listed`})
      }
    }
    return out
  }

  get hasFail(): boolean {
    return this.items.some((f) => f.severity === 'fail')
  }
}
