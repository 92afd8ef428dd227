// Configuration files that are not regular files or are too big, through the CLI: --inventory,
// --keepalived-conf and a keepalived.conf's plain-path `include`. /dev/zero and /dev/urandom were
// read until memory ran out (std::bad_alloc, exit 134), a FIFO hung the open forever. Each is one
// line on stderr naming the file, exit 3, no stack trace, no report, and quickly (a timeout fails
// a hang; the child's data segment is capped at 2 GiB so that a regression aborts instead of eating
// the machine's memory).

import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'run.js')
const lan = join(root, 'fixtures', 'lab', 'healthy', 'lan.pcapng')
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-config-files-'))
chmodSync(tmp, 0o755)

const fifo = join(tmp, 'fifo.conf')
spawnSync('mkfifo', [fifo])
const file = (name: string, text: string | Buffer): string => { const p = join(tmp, name); writeFileSync(p, text); return p }

function drcheck(args: string[]) {
  const r = spawnSync('prlimit', [`--data=${2 * 1024 ** 3}`, process.execPath, bin, ...args],
    {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 20_000, cwd: root, maxBuffer: 64 * 1024 * 1024})
  return {status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr}
}

function expectOneLine(r: ReturnType<typeof drcheck>, re: RegExp): void {
  expect(r.signal, `killed (a hang?): ${r.stderr}`).toBeNull()
  expect(r.status, r.stderr).toBe(3)
  const lines = r.stderr.trim().split('\n').filter((l) => !/^\(node:\d+\)|^\(Use `node/.test(l))
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^drcheck: /)
  expect(lines[0]).toMatch(re)
  expect(r.stderr).not.toMatch(/\n\s+at |bad_alloc|Aborted/)
  expect(r.stdout).toBe('')
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('--inventory: only a regular file of at most 16 MiB', () => {
  const cases: [string, string, RegExp][] = [
    ['/dev/zero', '/dev/zero', /--inventory \/dev\/zero: not a regular file \(a character device\)/],
    ['/dev/urandom', '/dev/urandom', /--inventory \/dev\/urandom: not a regular file \(a character device\)/],
    ['a FIFO (no writer: the open must not block)', fifo, new RegExp(`--inventory ${esc(fifo)}: not a regular file \\(a FIFO\\)`)],
    ['a directory', tmp, new RegExp(`--inventory ${esc(tmp)}: not a regular file \\(a directory\\)`)],
    ['a 17 MB file', file('big.yaml', Buffer.alloc(17_000_000, 0x23)), /big\.yaml: too big \(17000000 bytes; a configuration file is at most 16777216 bytes\)/],
  ]
  for (const [name, path, re] of cases) {
    it(name, () => expectOneLine(drcheck(['verify', '-r', lan, `--inventory=${path}`]), re))
  }
})

describe('--keepalived-conf and its plain-path include: the same checks for every file', () => {
  const cases: [string, () => string, RegExp][] = [
    ['top-level /dev/zero', () => '/dev/zero', /--keepalived-conf \/dev\/zero: not a regular file \(a character device\)/],
    ['top-level FIFO', () => fifo, new RegExp(`--keepalived-conf ${esc(fifo)}: not a regular file \\(a FIFO\\)`)],
    ['include /dev/zero', () => file('inc-zero.conf', 'global_defs {\n}\ninclude /dev/zero\n'),
      /inc-zero\.conf:3: include \/dev\/zero: not a regular file \(a character device\)/],
    ['include /dev/urandom', () => file('inc-urandom.conf', 'include /dev/urandom\n'),
      /inc-urandom\.conf:1: include \/dev\/urandom: not a regular file \(a character device\)/],
    ['include a FIFO (relative path)', () => file('inc-fifo.conf', 'include fifo.conf\n'),
      new RegExp(`inc-fifo\\.conf:1: include ${esc(fifo)}: not a regular file \\(a FIFO\\)`)],
    ['include a directory', () => file('inc-dir.conf', `include ${tmp}\n`),
      new RegExp(`inc-dir\\.conf:1: include ${esc(tmp)}: not a regular file \\(a directory\\)`)],
    ['include a 17 MB file', () => (file('big.conf', Buffer.alloc(17_000_000, 0x23)), file('inc-big.conf', 'include big.conf\n')),
      /inc-big\.conf:1: include .*big\.conf: too big \(17000000 bytes/],
    ['include a file that does not exist', () => file('inc-missing.conf', 'include missing.conf\n'),
      /inc-missing\.conf:1: include .*missing\.conf: cannot read \(ENOENT\)/],
  ]
  for (const [name, conf, re] of cases) {
    it(name, () => expectOneLine(drcheck(['verify', '-r', lan, `--keepalived-conf=${conf()}`]), re))
  }

  it('a glob include still skips what is not a regular file, and a good include still reads', () => {
    file('good.inc', 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    198.51.100.10/32\n  }\n}\n')
    const conf = file('glob.conf', `include ${tmp}/fifo*\ninclude good.inc\n`)
    const r = drcheck(['verify', '-r', lan, `--keepalived-conf=${conf}`, '--json'])
    expect(r.signal, r.stderr).toBeNull()
    expect([0, 1, 2]).toContain(r.status)
    expect(JSON.parse(r.stdout).vips).toContain('198.51.100.10')
  })
})
