// The command line as a user meets it: exit statuses, one-line errors, JSON names from the spec.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const bin = join(import.meta.dirname, '..', 'bin', 'run.js')
function drcheck(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-cli-'))

describe('errors: one line, exit 3, no stack', () => {
  const cases: [string, string[], RegExp][] = [
    ['no input', ['verify'], /-r FILE|-i IFACE/],
    ['missing file', ['verify', '-r', join(tmp, 'nope.pcap')], /nope\.pcap/],
    ['directory', ['verify', '-r', tmp], /director/i],
    ['not a capture', ['verify', '-r', (writeFileSync(join(tmp, 'text.pcap'), 'hello world, not a capture\n'), join(tmp, 'text.pcap'))], /text\.pcap/],
    ['empty file', ['verify', '-r', (writeFileSync(join(tmp, 'empty.pcap'), ''), join(tmp, 'empty.pcap'))], /empty/i],
    ['bad VIP', ['verify', '-r', 'fixtures/lab/healthy/lan.pcapng', '--vip', '300.1.2.3'], /--vip 300\.1\.2\.3/],
    ['bad MAC', ['arp', '-r', 'fixtures/lab/healthy/lan.pcapng', '--lb-mac', 'zz'], /--lb-mac zz/],
    ['unknown flag', ['verify', '--frobnicate'], /frobnicate/],
    ['bad duration', ['verify', '-i', 'lo', '--duration', 'soon'], /--duration soon/],
    ['bad --require', ['verify', '-r', 'fixtures/lab/healthy/lan.pcapng', '--require', 'nonsense'], /--require nonsense/],
    ['a FIFO (would block open)', ['verify', '-r', (spawnSync('mkfifo', [join(tmp, 'fifo')]), join(tmp, 'fifo'))], /fifo: is a pipe/],
    ['-w into a missing directory (no hang)', ['verify', '-i', 'lo', '--duration', '300ms', '-w', join(tmp, 'no', 'dir', 'x.pcap')], /x\.pcap/],
    ['unknown command', ['verfy', '-r', 'x.pcap'], /verfy/],
    ['--flapping with a zero window', ['verify', '-r', 'fixtures/lab/healthy/lan.pcapng', '--flapping', '10/0s'], /--flapping 10\/0s: the window must be greater than zero/],
    ['-r - (stdin)', ['verify', '-r', '-'], /-: no such file \(reading a capture from stdin is not supported/],
    ['no such interface', ['verify', '-i', 'drc-no-such-if0', '--duration', '1s'], /drc-no-such-if0/],
  ]
  for (const [name, args, re] of cases) {
    it(name, () => {
      const r = drcheck(...args)
      expect(r.status).toBe(3)
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(re)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).not.toMatch(/PASS/)
    })
  }
})

describe('verdicts and output', () => {
  it('--json prints one document with the spec\'s names, exit status follows the verdict', () => {
    const r = drcheck('verify', '-r', 'fixtures/lab/udp-wrong-source/lan.pcapng', '--json')
    expect(r.status).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc.verdict).toBe('fail')
    expect(doc.inputs[0]).toMatchObject({file: 'lan.pcapng', linkTypes: ['EN10MB']})
    expect(doc.vips).toEqual(expect.arrayContaining(['198.51.100.10', '2001:db8:1::10']))
    expect(doc.checks.map((c: {name: string}) => c.name)).toEqual(['source', 'arp', 'failover'])
    const f = doc.checks[0].findings[0]
    for (const k of ['kind', 'severity', 'file', 'frame', 'time', 'mac', 'ip', 'message']) expect(f).toHaveProperty(k)
    expect(f.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/)
    expect(doc.checks[2]).toHaveProperty('transitions')
  })

  it('inconclusive exits 2; --require makes it fail', () => {
    expect(drcheck('failover', '-r', 'fixtures/lab/healthy/lan.pcapng', '-q').status).toBe(2)
    expect(drcheck('failover', '-r', 'fixtures/lab/healthy/lan.pcapng', '-q', '--require', 'failover').status).toBe(1)
  })

  it('a capture cut short says so even in the quiet verdict line', () => {
    const cut = join(tmp, 'cut.pcap')
    writeFileSync(cut, readFileSync('fixtures/lab/healthy/lb1.pcap').subarray(0, 20000))
    const r = drcheck('verify', '-r', cut, '-q')
    expect(r.stdout).toMatch(/partial capture/)
  })

  it('no colour when not a terminal', () => {
    const r = drcheck('verify', '-r', 'fixtures/lab/healthy/lan.pcapng')
    expect(r.status).toBe(0)
    expect(r.stdout).not.toMatch(/\x1b\[/)
    expect(r.stdout).toMatch(/^PASS verify/m)
  })

  it('--help lists the commands', () => {
    const r = drcheck('--help')
    expect(r.status).toBe(0)
    for (const c of ['verify', 'source', 'arp', 'failover']) expect(r.stdout).toContain(c)
  })
})

describe('a damaged pcap is never a pass', () => {
  // the healthy lab's rs1 capture passes; the same file with one record in the middle claiming
  // more captured bytes than its frame had (what reading out of step after a damaged region
  // looks like) is read on, but judged inconclusive with a corrupt-capture warning
  it('one impossible record in the middle: inconclusive (exit 2), the note names its byte offset', () => {
    const src = join(import.meta.dirname, '..', 'fixtures', 'lab', 'healthy', 'rs1-ns.pcap')
    expect(drcheck('verify', '-r', src, '-q').status).toBe(0)
    const b = Buffer.from(readFileSync(src))
    // walk to the 10th record (classic pcap, little-endian: 24-byte header, 16-byte record headers)
    let off = 24
    for (let i = 1; i < 10; i++) off += 16 + b.readUInt32LE(off + 8)
    b.writeUInt32LE(b.readUInt32LE(off + 8) - 1, off + 12) // orig = incl - 1
    const f = join(tmp, 'damaged.pcap')
    writeFileSync(f, b)
    const r = drcheck('verify', '-r', f, '--json')
    expect(r.status).toBe(2)
    const doc = JSON.parse(r.stdout)
    expect(doc.verdict).toBe('inconclusive')
    const note = doc.notes.find((n: {kind: string}) => n.kind === 'corrupt-capture')
    expect(note.message).toContain(`byte offset ${off}: record 10 claims`)
  })
})
