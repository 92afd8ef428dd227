// The error contract (README "Bad input"), case by case, through the command line as a user meets
// it: one line on stderr naming the file or interface and what is wrong, exit status 3 when nothing
// could be judged, no stack trace unless --debug. A file cut at its end is analysed up to the cut
// (warning with the byte offset, verdict marked partial); damage in the middle of a file is
// reported as corrupt at its offset and the verdict is at best inconclusive.

import {spawnSync} from 'node:child_process'
import {chmodSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {canonicalIp} from '../../src/lib/options.js'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'run.js')
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-errors-'))
chmodSync(tmp, 0o755)

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups']
let nobodyRoot: string | null = null
/** Where user nobody can run drcheck from: the checkout itself, or — when it lies under a directory
 *  only root may enter (a clone into `mktemp -d`, mode 0700) — a copy of what drcheck runs from. */
function rootForNobody(): string {
  if (nobodyRoot) return nobodyRoot
  if (spawnSync('setpriv', [...NOBODY, 'test', '-r', bin]).status === 0) return (nobodyRoot = root)
  const app = join(tmp, 'app')
  for (const part of ['bin', 'dist', 'node_modules', 'package.json', 'oclif.manifest.json']) {
    if (existsSync(join(root, part))) cpSync(join(root, part), join(app, part), {recursive: true})
  }
  return (nobodyRoot = app)
}

function drcheck(args: string[], opts: {asNobody?: boolean} = {}) {
  const env = {...process.env, NO_COLOR: '1'}
  const cwd = opts.asNobody ? rootForNobody() : root
  const cmd = opts.asNobody ? 'setpriv' : process.execPath
  const argv = opts.asNobody ? [...NOBODY, process.execPath, join(cwd, 'bin', 'run.js'), ...args] : [bin, ...args]
  if (opts.asNobody) { env.HOME = tmp; env.XDG_DATA_HOME = tmp; env.XDG_CACHE_HOME = tmp; env.XDG_CONFIG_HOME = tmp }
  const r = spawnSync(cmd, argv, {encoding: 'utf8', env, timeout: 60_000, cwd})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

const file = (name: string, bytes: Uint8Array | string): string => {
  const p = join(tmp, name)
  writeFileSync(p, bytes)
  return p
}

/** A classic LE µs pcap header and records (values chosen here, not read back from drcheck). */
function pcapHeader(): Buffer {
  const b = Buffer.alloc(24)
  b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6); b.writeUInt32LE(65535, 16); b.writeUInt32LE(1, 20)
  return b
}
function record(incl: number, data: Buffer): Buffer {
  const h = Buffer.alloc(16)
  h.writeUInt32LE(1_700_000_000, 0); h.writeUInt32LE(incl, 8); h.writeUInt32LE(Math.max(incl, data.length), 12)
  return Buffer.concat([h, data])
}
const frame60 = Buffer.alloc(60, 0xab)

/** pcapng block offsets of a LE file (type, offset, length) */
function blocks(b: Buffer): {type: number, off: number, len: number}[] {
  const out = []
  for (let o = 0; o + 12 <= b.length;) { const len = b.readUInt32LE(o + 4); out.push({type: b.readUInt32LE(o), off: o, len}); o += len }
  return out
}

describe('bad input: one line naming the file or interface, exit 3, no stack', () => {
  const healthy = readFileSync(join(root, 'fixtures/lab/healthy/lb1.pcap'))
  const cases: [string, () => string[], RegExp, {asNobody?: boolean}?][] = [
    ['not a capture file', () => ['verify', '-r', file('notes.txt', 'just some text, not packets\n')], /notes\.txt: not a pcap or pcapng file/],
    ['empty file', () => ['verify', '-r', file('empty.pcap', '')], /empty\.pcap: is empty/],
    ['bad magic', () => ['verify', '-r', file('magic.pcap', Buffer.from('0123456789abcdef0123456789abcdef'))], /magic\.pcap: not a pcap or pcapng file \(starts with 30 31/],
    ['header cut short', () => ['verify', '-r', file('short.pcap', healthy.subarray(0, 20))], /short\.pcap: pcap file header cut short: 20 of 24 bytes/],
    ['first record longer than the file', () => ['verify', '-r', file('long.pcap', Buffer.concat([pcapHeader(), record(5000, frame60)]))], /long\.pcap: cut short at byte offset 24 before any complete frame: file ends inside record 1/],
    ['first record over 256 MiB', () => ['verify', '-r', file('huge.pcap', Buffer.concat([pcapHeader(), record(0x7fffffff, frame60)]))], /huge\.pcap: corrupt at byte offset 24 before any complete frame: record 1 claims 2147483647 captured bytes, over the 268435456-byte limit/],
    ['cut inside the first record', () => ['verify', '-r', file('cut1.pcap', healthy.subarray(0, 24 + 16 + 10))], /cut1\.pcap: cut short at byte offset 24 before any complete frame/],
    ['missing file', () => ['verify', '-r', join(tmp, 'nope.pcap')], /nope\.pcap: no such file/],
    ['directory', () => ['verify', '-r', (mkdirSync(join(tmp, 'dir.pcap'), {recursive: true}), join(tmp, 'dir.pcap'))], /dir\.pcap: is a directory/],
    ['unreadable file (as nobody)', () => { const p = join(tmp, 'secret.pcap'); copyFileSync(join(root, 'fixtures/lab/healthy/lb1.pcap'), p); chmodSync(p, 0o000); return ['verify', '-r', p] }, /secret\.pcap: permission denied/, {asNobody: true}],
    ['non-existent interface', () => ['verify', '-i', 'drc-nonexist0', '--duration', '1s'], /interface drc-nonexist0: no such capture device/],
    ['no permission to capture (as nobody)', () => ['verify', '-i', 'lo', '--duration', '1s'], /interface lo: no permission to capture .*root or .*CAP_NET_RAW/, {asNobody: true}],
  ]
  for (const [name, args, re, opts] of cases) {
    it(name, () => {
      const r = drcheck(args(), opts)
      expect(r.status, r.stderr).toBe(3)
      const lines = r.stderr.trim().split('\n').filter((l) => !/^\(node:\d+\)|^\(Use `node/.test(l))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^drcheck: /)
      expect(lines[0]).toMatch(re)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe('')
    })
  }

  it('--debug adds the stack trace', () => {
    const r = drcheck(['verify', '-r', join(tmp, 'nope.pcap'), '--debug'])
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/nope\.pcap: no such file/)
    expect(r.stderr).toMatch(/\n\s+at /)
  })
})

describe('a file cut at its end: every complete frame analysed, warned with the offset, never a clean verdict', () => {
  it('lb1.pcap of the healthy lab cut 7 bytes into a record', () => {
    const whole = readFileSync(join(root, 'fixtures/lab/healthy/lb1.pcap'))
    // record boundaries walked from the pcap record headers (incl_len at +8)
    const starts: number[] = []
    for (let o = 24; o < whole.length; o += 16 + whole.readUInt32LE(o + 8)) starts.push(o)
    const k = Math.floor(starts.length / 2)
    const p = file('cut-mid.pcap', whole.subarray(0, starts[k]! + 7))
    const r = drcheck(['verify', '-r', p, '--json'])
    expect([0, 1, 2]).toContain(r.status)
    const j = JSON.parse(r.stdout)
    expect(j.inputs[0].packets).toBe(k)
    const note = j.notes.find((n: {kind: string}) => n.kind === 'truncated-capture')
    expect(note.message).toMatch(new RegExp(`cut-mid\\.pcap: file ends inside the header of record ${k + 1}.*byte offset ${starts[k]}`))
    const human = drcheck(['verify', '-r', p, '-q'])
    expect(human.stdout).toMatch(/judged on a partial capture/)
  })
})

describe('damage in the middle of a pcapng: corrupt at offset N, what came before analysed, verdict at best inconclusive', () => {
  const lan = readFileSync(join(root, 'fixtures/lab/healthy/lan.pcapng'))
  const bs = blocks(lan)
  const epbs = bs.filter((b) => b.type === 6)
  const mid = epbs[Math.floor(epbs.length * 0.6)]!
  const before = bs.filter((b) => b.type === 6 && b.off < mid.off).length
  const mutations: [string, (b: Buffer) => void, RegExp][] = [
    ['block length 0', (b) => b.writeUInt32LE(0, mid.off + 4), /impossible block length 0/],
    ['trailer differs from header', (b) => b.writeUInt32LE(mid.len + 4, mid.off + mid.len - 4), /two length fields disagree/],
    ['bad interface id', (b) => b.writeUInt32LE(7, mid.off + 8), /packet on interface 7/],
    ['captured length beyond the block', (b) => b.writeUInt32LE(mid.len, mid.off + 20), /claims \d+ captured bytes but holds at most/],
  ]
  it('the intact file passes (the baseline: a pass that damage must take away)', () => {
    const r = drcheck(['verify', '-r', join(root, 'fixtures/lab/healthy/lan.pcapng'), '-q'])
    expect(r.status).toBe(0)
  })
  for (const [name, mutate, re] of mutations) {
    it(name, () => {
      const b = Buffer.from(lan)
      mutate(b)
      const p = file(`corrupt-${name.replace(/\W+/g, '-')}.pcapng`, b)
      const r = drcheck(['verify', '-r', p, '--json'])
      expect(r.status).toBe(2)
      const j = JSON.parse(r.stdout)
      expect(j.verdict).toBe('inconclusive')
      expect(j.inputs[0].packets).toBe(before)
      expect(j.inputs[0].corrupt.offset).toBe(mid.off)
      const note = j.notes.find((n: {kind: string}) => n.kind === 'corrupt-capture')
      expect(note.severity).toBe('fail')
      expect(note.message).toMatch(new RegExp(`corrupt at byte offset ${mid.off}: .*`))
      expect(note.message).toMatch(re)
      const q = drcheck(['verify', '-r', p, '-q'])
      expect(q.stdout).toMatch(/^INCONCLUSIVE .*partial capture/)
    })
  }
  it('an EPB before any IDB (a second section without interfaces)', () => {
    const shb = lan.subarray(0, bs[0]!.len)
    const b = Buffer.concat([lan.subarray(0, mid.off), shb, lan.subarray(mid.off)])
    const r = drcheck(['verify', '-r', file('epb-before-idb.pcapng', b), '--json'])
    expect(r.status).toBe(2)
    const j = JSON.parse(r.stdout)
    expect(j.inputs[0].corrupt.offset).toBe(mid.off + shb.length)
    expect(j.inputs[0].corrupt.message).toMatch(/packet on interface 0, but the section has 0 interface/)
  })
})

describe('--vip with a zone', () => {
  it('a link-local zone is stripped (the wire carries the bare address)', () => {
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1')
    expect(canonicalIp('[FE80::A%lo]')).toBe('fe80::a')
  })
  it('a zone on a global address is refused', () => {
    expect(() => canonicalIp('2001:db8::10%eth0')).toThrow(/only link-local IPv6 addresses \(fe80::\/10\) take a %zone/)
  })
  it('through the CLI the VIP is reported without the zone', () => {
    const r = drcheck(['verify', '-r', join(root, 'fixtures/lab/healthy/lan.pcapng'), '--vip', 'fe80::1%eth0', '--json'])
    expect(JSON.parse(r.stdout).vips).toEqual(['fe80::1'])
  })
})

describe('stdout that cannot be written: one line, exit 3 (never a stack trace, never exit 1 = fail)', () => {
  const lan = join(root, 'fixtures/lab/healthy/lan.pcapng')
  /** drcheck with stdout on /dev/full (every write fails with ENOSPC) */
  function toFull(args: string[]) {
    const fd = openSync('/dev/full', 'w')
    try {
      const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000, cwd: root, stdio: ['ignore', fd, 'pipe']})
      return {status: r.status, signal: r.signal, stderr: r.stderr}
    } finally { closeSync(fd) }
  }
  const cases: [string, string[], number[]][] = [
    ['--json', ['verify', '-r', lan, '--json'], [3]],
    ['the human report', ['verify', '-r', lan], [3]],
    ['-q', ['source', '-r', lan, '-q'], [3]],
    ['--nagios (3 = UNKNOWN)', ['verify', '-r', lan, '--nagios'], [3]],
    ['--junit -', ['verify', '-r', lan, '--junit', '-'], [3]],
    ['explain (not a check command)', ['explain'], [3]],
  ]
  for (const [name, args, statuses] of cases) {
    it(`${name} > /dev/full`, () => {
      const r = toFull(args)
      expect(r.signal, `killed (a hang?): ${r.stderr}`).toBeNull()
      expect(statuses, r.stderr).toContain(r.status)
      const lines = r.stderr.trim().split('\n').filter((l) => !/^\(node:\d+\)|^\(Use `node/.test(l))
      expect(lines, r.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^drcheck: cannot write the (report|output) to stdout: ENOSPC/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    })
  }
  it('a reader that went away (EPIPE) is no error: the exit status is the verdict', () => {
    for (const fmt of ['--json', '--nagios', '-q']) {
      // `true` exits before drcheck writes: the write gets EPIPE
      const r = spawnSync('bash', ['-c', `"$0" "$1" verify -r "$2" ${fmt} | true; exit "\${PIPESTATUS[0]}"`, process.execPath, bin, lan],
        {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000, cwd: root})
      expect(r.status, `${fmt}: ${r.stderr}`).toBe(0)
      expect(r.stderr, fmt).toBe('')
    }
  })
  it('a closed stdout (>&-) is no crash', () => {
    const r = spawnSync('bash', ['-c', '"$0" "$1" verify -r "$2" --json >&-', process.execPath, bin, lan],
      {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000, cwd: root})
    expect(r.signal).toBeNull()
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
