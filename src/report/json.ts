// `--json`: one JSON document with the names fixed by the spec's Output section.

import type {Report} from '../lib/analyze.js'
import type {EvidenceEntry} from './evidence.js'

export function toJson(r: Report, extra: {evidence?: EvidenceEntry[], redacted?: boolean} = {}): string {
  const doc = {
    verdict: r.verdict,
    inputs: r.inputs,
    vips: r.vips,
    vipsLearnt: r.vipsLearnt,
    checks: r.checks.map((c) => {
      const out: Record<string, unknown> = {name: c.name, verdict: c.verdict, summary: c.summary, findings: c.findings}
      if (c.missing) out.missing = c.missing
      if (c.name === 'failover') out.transitions = c.transitions ?? []
      if (c.counts) out.counts = c.counts
      return out
    }),
    notes: r.notes,
    ...(r.trigger ? {trigger: r.trigger} : {}),
    ...(r.probe ? {probe: r.probe} : {}),
    evidence: (extra.evidence ?? []).map((e) => ({file: e.input, frames: e.frames, filter: e.filter, pcaps: e.pcaps, ...(e.note ? {note: e.note} : {})})),
    ...(extra.redacted ? {redacted: true} : {}),
  }
  return JSON.stringify(doc, null, 2)
}
