// `--junit FILE`: JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters).
//
// <testsuites name="drcheck verify"> holds one <testsuite> per input (file or interface, the
// capture point) and in it one <testcase> per check. Findings are per input, verdicts per run, so
// a check's test case fails in a suite when the check failed and one of its fail findings names
// that input (a check that failed with no such finding anywhere — --require on an inconclusive
// check — fails in every suite). An inconclusive check is <skipped> with what was missing. The
// failure text lists the findings (fail and warn) of that input, one per line.

import type {Report} from '../lib/analyze.js'
import type {CheckResult, Finding} from '../checks/types.js'

/** Escape for XML text and attribute values; characters XML 1.0 cannot hold are dropped. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

function findingText(f: Finding): string {
  const where = [f.file ?? f.interface, f.frame !== undefined ? `frame ${f.frame}` : undefined, f.time, f.host, f.mac, f.ip].filter(Boolean).join(' ')
  return `[${f.severity}] ${f.kind}${where ? ` (${where})` : ''}: ${f.message}`
}

interface Case { name: string, classname: string, status: 'pass' | 'fail' | 'skip', message: string, type: string, text: string, out: string }

function caseFor(c: CheckResult, input: string, command: string, anyInputNamed: boolean): Case {
  const mine = c.findings.filter((f) => (f.file ?? f.interface) === input || (f.file === undefined && f.interface === undefined))
  const fails = mine.filter((f) => f.severity === 'fail')
  const classname = `drcheck.${command}.${input.replace(/[^\w.-]+/g, '_')}`
  const shown = mine.filter((f) => f.severity !== 'info')
  const text = shown.map(findingText).join('\n')
  const trans = (c.transitions ?? []).filter((t) => t.file === input)
    .map((t) => `VRID ${t.vrid} ${t.family} ${t.fromIp} -> ${t.toIp} at ${t.at}: takeover ${t.takeoverMs} ms (limit ${t.limitMs} ms), announce ${t.announceMs ?? 'none'} ms`)
  const out = [c.summary, ...trans].join('\n')
  if (c.verdict === 'fail' && (fails.length > 0 || !anyInputNamed)) {
    const kinds = [...new Set(fails.map((f) => f.kind))]
    return {name: c.name, classname, status: 'fail', message: c.summary, type: kinds.join(',') || 'fail', text: text || c.summary, out}
  }
  if (c.verdict === 'inconclusive') return {name: c.name, classname, status: 'skip', message: c.missing ?? c.summary, type: '', text: '', out}
  return {name: c.name, classname, status: 'pass', message: '', type: '', text: '', out}
}

export function junitXml(r: Report, command = 'verify'): string {
  const e = xmlEscape
  const inputs = r.inputs.map((i) => i.file ?? i.interface ?? '?')
  const suites = inputs.map((input, idx) => {
    const cases = r.checks.map((c) => {
      const anyInputNamed = c.findings.some((f) => f.severity === 'fail' && (f.file !== undefined || f.interface !== undefined))
      return caseFor(c, input, command, anyInputNamed)
    })
    const failures = cases.filter((x) => x.status === 'fail').length
    const skipped = cases.filter((x) => x.status === 'skip').length
    const lines = [`  <testsuite name="${e(input)}" id="${idx}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`]
    const props = [['packets', String(r.inputs[idx].packets)], ['linkTypes', r.inputs[idx].linkTypes.join(',')], ['vips', r.vips.join(',')]]
    lines.push('    <properties>', ...props.map(([k, v]) => `      <property name="${e(k)}" value="${e(v)}"/>`), '    </properties>')
    for (const x of cases) {
      lines.push(`    <testcase name="${e(x.name)}" classname="${e(x.classname)}" time="0">`)
      if (x.status === 'fail') lines.push(`      <failure message="${e(x.message)}" type="${e(x.type)}">${e(x.text)}</failure>`)
      if (x.status === 'skip') lines.push(`      <skipped message="${e(x.message)}"/>`)
      lines.push(`      <system-out>${e(x.out)}</system-out>`, '    </testcase>')
    }
    lines.push('  </testsuite>')
    return {lines, tests: cases.length, failures, skipped}
  })
  const tests = suites.reduce((n, s) => n + s.tests, 0)
  const failures = suites.reduce((n, s) => n + s.failures, 0)
  const skipped = suites.reduce((n, s) => n + s.skipped, 0)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${e(`drcheck ${command}`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n')
}
