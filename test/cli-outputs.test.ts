// The machine outputs from the command line on the lab fixtures: --nagios (line + status),
// --junit (parsed XML), --redact (every output), --evidence (pcaps read back with tshark and
// compared byte for byte with the original frames), --quiet, explain, --help examples.
// Expected values come from fixtures/lab/README.md (tshark-checked) and from tshark itself.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {FINDING_KINDS} from '../src/checks/types.js'
import {parseXml, type XmlElement} from './helpers/xml.js'
import {NAGIOS_RE} from './helpers/nagios.js'

const root = join(import.meta.dirname, '..')
const bin = join(root, 'bin', 'run.js')
function drcheck(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-out-'))
const hasTshark = spawnSync('tshark', ['-v'], {encoding: 'utf8'}).status === 0
const fx = (s: string) => join('fixtures/lab', s)

function tshark(...args: string[]): string {
  const r = spawnSync('tshark', args, {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}
const kids = (e: XmlElement, name: string) => e.children.filter((c) => c.name === name)

describe('--nagios', () => {
  it('arp-leak: CRITICAL (2), names real-server-answers and frame 11; packets perfdata = tshark\'s frame count', () => {
    const r = drcheck('verify', '-r', fx('arp-leak/lan.pcapng'), '--nagios')
    expect(r.status).toBe(2)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(NAGIOS_RE)
    expect(lines[0]).toMatch(/^DRCHECK CRITICAL - verify: arp fail: real-server-answers x1 \(02:00:00:00:00:21 frame 11 of lan\.pcapng\)/)
    if (hasTshark) {
      const n = tshark('-r', fx('arp-leak/lan.pcapng'), '-T', 'fields', '-e', 'frame.number').trim().split('\n').length
      expect(lines[0]).toContain(`'packets'=${n};;;0`)
    }
  })

  it('failover-hard: takeover_ms is the measured 3609.6–3609.7 ms, the critical threshold the bound 3609.4 ms × 1.25 + 100 ms', () => {
    const r = drcheck('failover', '-r', fx('failover-hard/lan.pcapng'), '--nagios')
    expect(r.status).toBe(2) // stale-owner
    const m = /'takeover_ms'=([\d.]+)ms;;([\d.]+);0/.exec(r.stdout)
    expect(m).not.toBeNull()
    expect(Number(m![1])).toBeGreaterThanOrEqual(3609.5)
    expect(Number(m![1])).toBeLessThanOrEqual(3609.8)
    expect(Math.abs(Number(m![2]) - (3609.4 * 1.25 + 100))).toBeLessThan(0.3)
    expect(r.stdout).toMatch(/'transitions'=2;;;0/)
  })

  it('healthy: OK (0); inconclusive alone: WARNING (1); bad input: UNKNOWN (3) on stdout, one line on stderr', () => {
    const ok = drcheck('verify', '-r', fx('healthy/lan.pcapng'), '--nagios')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/^DRCHECK OK - /)
    const warn = drcheck('failover', '-r', fx('healthy/lan.pcapng'), '--nagios')
    expect(warn.status).toBe(1)
    expect(warn.stdout).toMatch(/^DRCHECK WARNING - failover: failover inconclusive \|/)
    const err = drcheck('verify', '-r', join(tmp, 'missing.pcap'), '--nagios')
    expect(err.status).toBe(3)
    expect(err.stdout).toMatch(/^DRCHECK UNKNOWN - .*missing\.pcap/)
    expect(err.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('--nagios and --json together are refused (exit 3)', () => {
    expect(drcheck('verify', '-r', fx('healthy/lan.pcapng'), '--nagios', '--json').status).toBe(3)
  })
})

describe('--junit', () => {
  it('arp-leak LAN + lb1: one suite per input, one case per check; arp fails only on the LAN with frame 11', () => {
    const file = join(tmp, 'arp-leak.xml')
    const r = drcheck('verify', '-r', fx('arp-leak/lan.pcapng'), '-r', fx('arp-leak/lb1.pcap'), '--junit', file, '--quiet')
    expect(r.status).toBe(1)
    expect(r.stdout.trim().split('\n')).toHaveLength(1) // --junit FILE keeps the normal (here quiet) report on stdout
    const doc = parseXml(readFileSync(file, 'utf8'))
    expect(doc.name).toBe('testsuites')
    const suites = kids(doc, 'testsuite')
    expect(suites.map((s) => s.attrs.name)).toEqual(['lan.pcapng', 'lb1.pcap'])
    for (const s of suites) expect(kids(s, 'testcase').map((c) => c.attrs.name)).toEqual(['source', 'arp', 'failover'])
    const [lan, lb1] = suites.map((s) => Object.fromEntries(kids(s, 'testcase').map((c) => [c.attrs.name, c])))
    const fail = kids(lan.arp, 'failure')
    expect(fail).toHaveLength(1)
    expect(fail[0].attrs.type.split(',')).toContain('real-server-answers')
    expect(fail[0].attrs.message.length).toBeGreaterThan(0)
    expect(fail[0].text).toMatch(/real-server-answers \(lan\.pcapng frame 11 /)
    expect(kids(lb1.arp, 'failure')).toHaveLength(0) // README: the leak is unicast, invisible from lb1
    expect(kids(lan.source, 'failure')).toHaveLength(0)
    expect(kids(lan.failover, 'skipped')).toHaveLength(1) // no transition: inconclusive
    expect(doc.attrs).toMatchObject({tests: '6', failures: '1', skipped: '2', errors: '0'})
    expect(suites[0].attrs).toMatchObject({tests: '3', failures: '1', skipped: '1'})
  })

  it('--junit - prints the XML instead of the report', () => {
    const r = drcheck('source', '-r', fx('udp-wrong-source/lan.pcapng'), '--junit', '-')
    expect(r.status).toBe(1)
    const doc = parseXml(r.stdout)
    const tc = kids(kids(doc, 'testsuite')[0], 'testcase')
    expect(tc.map((c) => c.attrs.name)).toEqual(['source'])
    expect(kids(tc[0], 'failure')[0].text).toMatch(/wrong-source \(lan\.pcapng frame 19 /)
  })
})

describe('--redact', () => {
  // udp-wrong-source: the client is 203.0.113.100 / 2001:db8:2::100 (behind the router); rs1 is
  // 02:00:00:00:00:21 with its own address 198.51.100.21 (README)
  const client = /203\.0\.113\.100|2001:db8:2::100\b/
  const args = ['verify', '-r', fx('udp-wrong-source/lan.pcapng')]
  it('the client addresses appear without --redact (the test can fail)', () => {
    expect(drcheck(...args, '--json').stdout).toMatch(client)
  })
  it('no client address in human, JSON, Nagios or JUnit output; pseudonyms stable per salt; roles kept', () => {
    const outs: Record<string, string> = {}
    outs.human = drcheck(...args, '--redact', '--redact-salt', 'k1').stdout
    outs.json = drcheck(...args, '--json', '--redact', '--redact-salt', 'k1').stdout
    outs.nagios = drcheck(...args, '--nagios', '--redact', '--redact-salt', 'k1').stdout
    outs.junit = drcheck(...args, '--junit', '-', '--redact', '--redact-salt', 'k1').stdout
    for (const [name, o] of Object.entries(outs)) {
      expect(o.length, name).toBeGreaterThan(50)
      expect(o, name).not.toMatch(client)
    }
    const doc = JSON.parse(outs.json)
    expect(doc.redacted).toBe(true)
    const f = doc.checks[0].findings.find((x: {frame: number}) => x.frame === 19)
    expect(f).toMatchObject({kind: 'wrong-source', mac: '02:00:00:00:00:21', ip: '198.51.100.21'})
    const p4 = /ipv4-[0-9a-f]{8}/.exec(f.message)![0]
    expect(outs.human).toContain(p4)
    expect(outs.junit).toContain(p4)
    expect(doc.vips).toEqual(expect.arrayContaining(['198.51.100.10', '2001:db8:1::10']))
    // same salt in another run: same pseudonym; another salt: another one
    expect(drcheck(...args, '--redact', '--redact-salt', 'k1').stdout).toContain(p4)
    expect(drcheck(...args, '--redact', '--redact-salt', 'k2').stdout).not.toContain(p4)
  })
  it('addresses the inventory names are kept (monitoring client 203.0.113.100), others still replaced', () => {
    const inv = join(tmp, 'inventory.yaml')
    writeFileSync(inv, 'hosts:\n  - name: probe-client\n    role: client\n    addresses: [203.0.113.100]\n')
    const out = drcheck(...args, '--inventory', inv, '--redact', '--json').stdout
    expect(out).toContain('203.0.113.100')
    expect(out).not.toMatch(/2001:db8:2::100\b/)
    expect(out).toMatch(/ipv6-[0-9a-f]{8}/)
  })
  it('--redact-salt needs --redact', () => {
    expect(drcheck(...args, '--redact-salt', 'x').status).toBe(3)
  })
})

describe.skipIf(!hasTshark)('--evidence', () => {
  it('failover-hard LAN + lb1: one pcap per input with the named frames, byte-identical to the originals (tshark)', () => {
    const dir = join(tmp, 'ev')
    const r = drcheck('verify', '-r', fx('failover-hard/lan.pcapng'), '-r', fx('failover-hard/lb1.pcap'), '--evidence', dir, '--json')
    expect(r.status).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(readdirSync(dir).sort()).toEqual(['lan.pcapng.evidence.pcap', 'lb1.pcap.evidence.pcap'])
    // frames the README names: transitions and stale claims
    const must: Record<string, number[]> = {'lan.pcapng': [137, 258, 138, 264, 352, 353, 358, 359], 'lb1.pcap': [97, 180, 98, 186, 200, 202]}
    for (const e of doc.evidence as {file: string, frames: number[], filter: string, pcaps: {path: string, frames: number}[]}[]) {
      const orig = fx(`failover-hard/${e.file}`)
      for (const n of must[e.file]) expect(e.frames).toContain(n)
      expect(e.frames.length).toBeLessThan(100) // small
      expect(e.pcaps).toHaveLength(1)
      expect(e.pcaps[0].frames).toBe(e.frames.length)
      // the filter selects exactly those frames in the original capture
      const selected = tshark('-r', orig, '-Y', e.filter, '-T', 'fields', '-e', 'frame.number').trim().split('\n').map(Number)
      expect(selected).toEqual(e.frames)
      // and the small pcap holds the same bytes with the same timestamps
      const raw = (file: string, filter?: string) => {
        const out = JSON.parse(tshark('-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'json', '-x', '-j', 'frame')) as {_source: {layers: {frame_raw: [string], frame: {'frame.time_epoch': string}}}}[]
        return out.map((p) => `${p._source.layers.frame['frame.time_epoch']} ${p._source.layers.frame_raw[0]}`)
      }
      const got = raw(e.pcaps[0].path)
      expect(got).toHaveLength(e.frames.length)
      expect(got).toEqual(raw(orig, e.filter))
    }
  })

  it('without --evidence the report still prints the filter; a passing run writes nothing', () => {
    const r = drcheck('arp', '-r', fx('arp-leak/lan.pcapng'))
    expect(r.stdout).toMatch(/lan\.pcapng: frame\.number in \{[\d., ]*\b11\b/)
    const dir = join(tmp, 'ev-pass')
    expect(drcheck('verify', '-r', fx('healthy/lan.pcapng'), '--evidence', dir).status).toBe(0)
    expect(existsSync(dir)).toBe(false)
  })

  it('a directory that cannot be made is one line and exit 3, not a hang (/proc refuses new entries)', () => {
    for (const dir of ['/proc/drcheck-x', '/proc/drcheck-x/y', join(root, 'README.md', 'x')]) {
      const r = spawnSync(process.execPath, [bin, 'verify', '-r', fx('arp-leak/lan.pcapng'), '--evidence', dir, '-q'], {cwd: root, encoding: 'utf8', timeout: 20_000})
      expect(r.status, dir).toBe(3)
      expect(r.stderr.trim().split('\n'), dir).toHaveLength(1)
      expect(r.stderr).toContain(`--evidence ${dir}: cannot create the directory`)
    }
    // missing parents are made (mkdir -p)
    const deep = join(tmp, 'ev-deep', 'a', 'b')
    expect(drcheck('verify', '-r', fx('arp-leak/lan.pcapng'), '--evidence', deep, '-q').status).toBe(1)
    expect(readdirSync(deep)).toEqual(['lan.pcapng.evidence.pcap'])
  })
})

describe('comfort', () => {
  it('--quiet prints only the verdict line', () => {
    const r = drcheck('verify', '-r', fx('arp-leak/lan.pcapng'), '-q')
    expect(r.stdout).toBe('FAIL verify: source pass, arp fail, failover inconclusive\n')
  })

  it('the human report shows the remedy under a failing finding', () => {
    const r = drcheck('arp', '-r', fx('arp-leak/lan.pcapng'))
    expect(r.stdout).toMatch(/real-server-answers[^\n]*frame 11[^\n]*\n[^\n]*\n\s+fix: .*arp_ignore|fix: On every proxy, set both sysctls/)
    expect(r.stdout).toContain('drcheck explain real-server-answers')
  })

  it('explain: every kind listed with its meaning; explain KIND prints the remedy; an unknown kind exits 3 in one line', () => {
    const list = drcheck('explain', '--list')
    expect(list.status).toBe(0)
    for (const k of FINDING_KINDS) expect(list.stdout).toMatch(new RegExp(`^${k} +(source|arp|failover|input) +\\S`, 'm'))
    expect(list.stdout).not.toContain('no explanation yet')
    const one = drcheck('explain', 'not-announced')
    expect(one.status).toBe(0)
    expect(one.stdout).toMatch(/garp_master_refresh/)
    const bad = drcheck('explain', 'nosuchkind')
    expect(bad.status).toBe(3)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('every command\'s --help has an on-call and a CI example', () => {
    for (const cmd of ['verify', 'source', 'arp', 'failover']) {
      const h = drcheck(cmd, '--help').stdout
      expect(h, cmd).toMatch(/EXAMPLES/)
      expect(h, cmd).toMatch(/On call/i)
      expect(h, cmd).toMatch(/\bCI\b/)
      for (const flag of ['--nagios', '--junit', '--evidence', '--redact']) expect(h, cmd).toContain(flag)
    }
    for (const cmd of ['explain', 'interfaces']) expect(drcheck(cmd, '--help').stdout, cmd).toMatch(/EXAMPLES/)
  })

  it('shell completion: the autocomplete plugin answers; drcheck --help starts quickly', () => {
    const t0 = Date.now()
    const h = drcheck('--help')
    const ms = Date.now() - t0
    expect(h.status).toBe(0)
    expect(h.stdout).toMatch(/autocomplete/)
    expect(ms).toBeLessThan(5000)
    const ac = drcheck('autocomplete', 'bash')
    expect(ac.status).toBe(0)
    expect(ac.stdout).toMatch(/drcheck/)
  })

  it('interfaces lists lo with its address and says whether capture is permitted', () => {
    const r = drcheck('interfaces', '--json')
    expect(r.status).toBe(0)
    const rows = JSON.parse(r.stdout) as {name: string, addresses: string[], capture: boolean, reason?: string}[]
    const lo = rows.find((x) => x.name === 'lo')
    expect(lo).toBeDefined()
    expect(lo!.addresses).toContain('127.0.0.1')
    expect(typeof lo!.capture).toBe('boolean')
    if (process.getuid?.() === 0) expect(lo!.capture).toBe(true)
    for (const x of rows) if (!x.capture) expect(x.reason).toBeTruthy()
  })
})
