// The machine formats on hand-built reports: Nagios line and status, JUnit structure and escaping,
// redaction of addresses in fields and sentences, the Wireshark filter syntax.
import {describe, expect, it} from 'vitest'
import type {Report} from '../../src/lib/analyze.js'
import type {CheckResult, Finding} from '../../src/checks/types.js'
import {nagiosError, nagiosLine} from '../../src/report/nagios.js'
import {junitXml, xmlEscape} from '../../src/report/junit.js'
import {Redactor, redactReport} from '../../src/report/redact.js'
import {displayFilter} from '../../src/report/evidence.js'
import {parseXml, type XmlElement} from '../helpers/xml.js'
import {NAGIOS_RE} from '../helpers/nagios.js'


function check(name: CheckResult['name'], verdict: CheckResult['verdict'], findings: Partial<Finding>[] = [], extra: Partial<CheckResult> = {}): CheckResult {
  return {name, verdict, summary: `${name} summary`, findings: findings.map((f) => ({kind: 'wrong-source', severity: 'fail', message: 'm', ...f}) as Finding), ...extra}
}

function report(checks: CheckResult[], inputs = ['a.pcap']): Report {
  return {
    verdict: checks.some((c) => c.verdict === 'fail') ? 'fail' : checks.some((c) => c.verdict === 'pass') ? 'pass' : 'inconclusive',
    inputs: inputs.map((f, i) => ({file: f, packets: 10 + i, linkTypes: ['EN10MB'], malformed: 0, warnings: []})),
    vips: ['198.51.100.10'], vipsLearnt: false, checks, notes: [],
    known: {ips: ['198.51.100.10', '198.51.100.2'], macs: ['02:00:00:00:00:11', '02:00:00:00:00:21']},
  }
}

const transition = {vrid: 51, family: 'ipv4' as const, fromIp: '198.51.100.2', toIp: '198.51.100.3', fromMac: 'x', toMac: 'y', at: '2026-12-03T16:30:27.817203365Z',
  fromFrame: 137, toFrame: 258, file: 'a.pcap', takeoverMs: 3609.6, boundMs: 3609.4, limitMs: 4611.7, announceMs: 0.1, announce: {}, resumeMs: 92.8,
  graceful: false, preempted: false, priority: 100, intervalMs: 1000}

describe('nagios', () => {
  it('pass → OK 0, fail → CRITICAL 2, inconclusive → WARNING 1; error → UNKNOWN', () => {
    const ok = nagiosLine(report([check('source', 'pass'), check('failover', 'inconclusive')]))
    expect(ok.status).toBe(0)
    expect(ok.line).toMatch(/^DRCHECK OK - /)
    const crit = nagiosLine(report([check('arp', 'fail', [{kind: 'real-server-answers', mac: '02:00:00:00:00:21', frame: 11, file: 'a.pcap'}])]))
    expect(crit.status).toBe(2)
    expect(crit.line).toMatch(/^DRCHECK CRITICAL - .*real-server-answers x1 \(02:00:00:00:00:21 frame 11 of a\.pcap\)/)
    const warn = nagiosLine(report([check('arp', 'inconclusive')]))
    expect(warn.status).toBe(1)
    expect(warn.line).toMatch(/^DRCHECK WARNING - /)
    expect(nagiosError('x | y\nz')).toBe('DRCHECK UNKNOWN - x y z')
    for (const l of [ok.line, crit.line, warn.line]) expect(l).toMatch(NAGIOS_RE)
  })

  it('perfdata: packets, findings (crit 1), takeover_ms with the limit as critical threshold; no | in the text', () => {
    const r = report([check('failover', 'fail', [{kind: 'slow-takeover', message: 'a | b'}], {transitions: [transition]})], ['a.pcap', 'b.pcap'])
    const {line} = nagiosLine(r)
    expect(line).toMatch(NAGIOS_RE)
    expect(line.split('|')).toHaveLength(2)
    const perf = line.split(' | ')[1].split(' ')
    expect(perf).toContain("'packets'=21;;;0")
    expect(perf).toContain("'findings'=1;;1;0")
    expect(perf).toContain("'takeover_ms'=3609.6ms;;4611.7;0")
    expect(perf).toContain("'transitions'=1;;;0")
  })
})

function kids(e: XmlElement, name: string): XmlElement[] {
  return e.children.filter((c) => c.name === name)
}

describe('junit', () => {
  it('one suite per input, one case per check; failure where a fail finding names the input; skipped when inconclusive', () => {
    const r = report([
      check('source', 'pass'),
      check('arp', 'fail', [{kind: 'real-server-answers', file: 'b.pcap', frame: 11, message: 'proxy <rs1> & "x" answered \'ARP\''}]),
      check('failover', 'inconclusive', [], {missing: 'no transition'}),
    ], ['a.pcap', 'b.pcap'])
    const doc = parseXml(junitXml(r, 'verify'))
    expect(doc.name).toBe('testsuites')
    expect(doc.attrs).toMatchObject({tests: '6', failures: '1', skipped: '2', errors: '0'})
    const suites = kids(doc, 'testsuite')
    expect(suites.map((s) => s.attrs.name)).toEqual(['a.pcap', 'b.pcap'])
    for (const s of suites) {
      expect(kids(s, 'testcase').map((c) => c.attrs.name)).toEqual(['source', 'arp', 'failover'])
      expect(kids(kids(s, 'testcase')[2], 'skipped')[0].attrs.message).toBe('no transition')
    }
    expect(kids(kids(suites[0], 'testcase')[1], 'failure')).toHaveLength(0)
    const fail = kids(kids(suites[1], 'testcase')[1], 'failure')[0]
    expect(fail.attrs.type).toBe('real-server-answers')
    expect(fail.attrs.message).toBe('arp summary')
    expect(fail.text).toContain('frame 11')
    expect(fail.text).toContain('proxy <rs1> & "x" answered \'ARP\'')
    expect(suites[1].attrs).toMatchObject({tests: '3', failures: '1', skipped: '1'})
  })

  it('a failed check with no finding naming an input (--require) fails in every suite', () => {
    const doc = parseXml(junitXml(report([check('arp', 'fail')], ['a.pcap', 'b.pcap'])))
    for (const s of kids(doc, 'testsuite')) expect(kids(kids(s, 'testcase')[0], 'failure')).toHaveLength(1)
  })

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xmlEscape('a<b>&"\'\u0001c')).toBe('a&lt;b&gt;&amp;&quot;&apos;c')
    expect(() => parseXml(`<a b="${xmlEscape('<&>\u0000"')}"/>`)).not.toThrow()
    expect(() => parseXml('<a>x & y</a>')).toThrow() // the helper parser is strict
    expect(() => parseXml('<a><b></a></b>')).toThrow()
  })
})

describe('redact', () => {
  it('client IPs and MACs become stable pseudonyms; VIPs, known roles, multicast and times stay', () => {
    const red = new Redactor({ips: ['198.51.100.10'], macs: ['02:00:00:00:00:11']}, 'salt')
    const s = 'reply to 203.0.113.100:51985 and 2001:db8:2::100:60030 from 02:00:00:00:01:00 via 02:00:00:00:00:11 for 198.51.100.10 at 2026-12-03T16:25:41.034475056Z to 224.0.0.18 ff02::12 01:00:5e:00:00:12'
    const out = red.text(s)
    expect(out).not.toMatch(/203\.0\.113\.100|2001:db8:2::100|02:00:00:00:01:00/)
    expect(out).toMatch(/reply to ipv4-[0-9a-f]{8}:51985 and ipv6-[0-9a-f]{8}:60030 from mac-[0-9a-f]{8} via 02:00:00:00:00:11 for 198\.51\.100\.10 at 2026-12-03T16:25:41\.034475056Z to 224\.0\.0\.18 ff02::12 01:00:5e:00:00:12$/)
    // same address, same pseudonym, in any spelling; same salt, same pseudonym in another run
    expect(red.ip('2001:db8:2:0::100')).toBe(red.ip('2001:db8:2::100'))
    expect(new Redactor({ips: [], macs: []}, 'salt').text('203.0.113.100')).toBe(red.text('203.0.113.100'))
    expect(new Redactor({ips: [], macs: []}, 'other').text('203.0.113.100')).not.toBe(red.text('203.0.113.100'))
  })

  it('redactReport covers fields, sentences and object keys; keeps the proxy\'s own address of a wrong-source', () => {
    const r = report([check('source', 'fail', [{kind: 'wrong-source', mac: '02:00:00:00:00:21', ip: '198.51.100.21', message: 'reply to 203.0.113.100:5353 left with 198.51.100.21'}],
      {counts: {perClient: {'203.0.113.100': 3}}})])
    const out = redactReport(r, 's')
    const text = JSON.stringify(out)
    expect(text).not.toContain('203.0.113.100')
    expect(out.checks[0].findings[0].ip).toBe('198.51.100.21')
    expect(out.checks[0].findings[0].mac).toBe('02:00:00:00:00:21')
    expect(JSON.stringify(r)).toContain('203.0.113.100') // the original is untouched
  })
})

describe('display filter', () => {
  it('commas and ranges, as Wireshark 3.6+ reads them', () => {
    expect(displayFilter([359, 11, 12, 13, 14, 20, 21])).toBe('frame.number in {11..14, 20, 21, 359}')
    expect(displayFilter([5])).toBe('frame.number in {5}')
  })
})
