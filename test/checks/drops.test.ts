// A capture that lost packets before drcheck saw them (libpcap's drop counters on a live run) is a
// partial view: no pass; a failure that rests on a packet not being seen (an unanswered request) is
// not blamed, since the missing packet may be a dropped one; a failure that rests on packets seen (a
// reply from the wrong source) still fails. The lab fixtures give the verdicts without drops
// (fixtures/lab/README.md); here the same captures are judged as if the kernel had dropped packets.
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {DEFAULT_OPTIONS} from '../../src/checks/context.js'
import type {CheckName, CheckResult} from '../../src/checks/types.js'
import {Analysis} from '../../src/lib/analyze.js'
import {learnVipsFromFiles} from '../../src/lib/run.js'

const lab = join(import.meta.dirname, '..', '..', 'fixtures', 'lab')

/** the capture judged as a live input whose kernel counters say `dropped` packets were lost */
function judge(file: string, dropped: number | null) {
  const path = join(lab, file)
  const a = new Analysis({...DEFAULT_OPTIONS, vips: learnVipsFromFiles([path]), vipsLearnt: true, lbMacs: [], proxyMacs: []}, ['source', 'arp', 'failover'])
  const i = a.addInput('eth0', 'interface')
  readCaptureFile(path, i, a.onRecord)
  if (dropped !== null) a.inputs[i].kernel = {received: a.inputs[i].packets + dropped, dropped, ifDropped: 0}
  a.endInput(i)
  const r = a.finish()
  return {r, by: Object.fromEntries(r.checks.map((c) => [c.name, c])) as Record<CheckName, CheckResult>}
}

describe('kernel drops on a live input', () => {
  it('healthy, no drops counted (kernel counters 0): pass, no note', () => {
    const {r} = judge('healthy/rs1-ns.pcap', 0)
    expect(r.verdict).toBe('pass')
    expect(r.notes.filter((n) => n.kind === 'packets-dropped')).toEqual([])
  })

  it('healthy with 12 dropped: every check still says what it saw, but the run is not a pass', () => {
    const {r, by} = judge('healthy/rs1-ns.pcap', 12)
    expect(by.source.verdict).toBe('pass')
    expect(r.verdict).toBe('inconclusive')
    const note = r.notes.find((n) => n.kind === 'packets-dropped')
    expect(note).toMatchObject({severity: 'warn', interface: 'eth0'})
    expect(note!.message).toContain('12 packet(s)')
  })

  it('proxy-without-vip with drops: the unanswered requests are warnings, the source check is inconclusive', () => {
    const without = judge('proxy-without-vip/rs1-ns.pcap', null)
    expect(without.by.source.verdict).toBe('fail')
    const failing = without.by.source.findings.filter((f) => f.kind === 'unanswered' && f.severity === 'fail').length
    expect(failing).toBeGreaterThan(0)
    const {r, by} = judge('proxy-without-vip/rs1-ns.pcap', 3)
    expect(by.source.verdict).toBe('inconclusive')
    expect(by.source.findings.filter((f) => f.kind === 'unanswered' && f.severity === 'fail')).toEqual([])
    const warned = by.source.findings.filter((f) => f.kind === 'unanswered' && f.severity === 'warn')
    expect(warned.length).toBe(failing)
    expect(warned[0]!.message).toContain('3 packet(s) were dropped on eth0')
    expect(by.source.missing).toMatch(/tcpdump/)
    expect(r.verdict).not.toBe('pass')
  })

  it('udp-wrong-source with drops: a reply seen leaving from the wrong address still fails', () => {
    const {r, by} = judge('udp-wrong-source/rs1-ns.pcap', 50)
    expect(by.source.verdict).toBe('fail')
    expect(by.source.findings.some((f) => f.kind === 'wrong-source' && f.severity === 'fail')).toBe(true)
    expect(r.verdict).toBe('fail')
  })
})
