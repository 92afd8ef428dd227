// drcheck on every file of the malformed-capture corpus (fixtures/corpus/README.md) through the
// command line: no crash, no hang (20 s per file), no unhandled rejection, exit status 0-3 only, at
// most one line on stderr and no stack trace. Where the contract fixes the outcome of a file built
// by scripts/corpus.mjs, the outcome is checked too.

import {spawn} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'run.js')
const gen = join(root, 'fixtures/corpus/generated')
const crashes = join(root, 'fixtures/corpus/crashes')
const MALFORMED_PUBLIC = ['zeek-arp-leak.pcap', 'tcpdump-arp-oobr.pcap', 'tcpdump-arp-too-long-tha.pcap', 'tcpdump-vrrp-print-oobr-2.pcap',
  'tcpdump-vrrp-print-oobr-frelay.pcap', 'packetlife-vrrp-malformed-dos.cap', 'zeek-tcp-truncated-header.pcap']

const files = [
  ...readdirSync(gen).sort().map((f) => join(gen, f)),
  ...(existsSync(crashes) ? readdirSync(crashes).filter((f) => f.endsWith('.bin')).sort().map((f) => join(crashes, f)) : []),
  ...MALFORMED_PUBLIC.map((f) => join(root, 'fixtures/public', f)),
]

interface Outcome { status: number | null, signal: string | null, stdout: string, stderr: string, ms: number }

function run(file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = Date.now()
    const p = spawn(process.execPath, [bin, 'verify', '-r', file, '--json'], {env: {...process.env, NO_COLOR: '1'}})
    let stdout = '', stderr = ''
    p.stdout.on('data', (d) => { stdout += d })
    p.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000)
    p.on('close', (status, signal) => { clearTimeout(timer); resolve({status, signal, stdout, stderr, ms: Date.now() - t0}) })
  })
}

/** all files, 3 at a time */
async function runAll(): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>()
  const queue = [...files]
  await Promise.all([0, 1, 2].map(async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) out.set(f, await run(f))
  }))
  return out
}

/** outcomes fixed by the contract for files built by scripts/corpus.mjs */
const EXPECT: Record<string, {status?: number, note?: string, stderr?: RegExp}> = {
  'pcap-version-0.0.pcap': {status: 3, stderr: /unsupported pcap version 0\.0/},
  'pcap-header-only-23-bytes.pcap': {status: 3, stderr: /header cut short: 23 of 24/},
  'pcapng-epb-before-idb.pcapng': {status: 3, stderr: /corrupt at byte offset 28 before any complete frame/},
  'pcapng-shb-version-2.pcapng': {status: 3, stderr: /unsupported pcapng version 2\.0/},
  'pcapng-spb-no-interface.pcapng': {status: 3, stderr: /simple packet block before any interface/},
  'pcap-incl-256MiB-plus-1.pcap': {note: 'corrupt-capture'},
  'pcap-incl-4GiB.pcap': {note: 'corrupt-capture'},
  'pcapng-block-length-0.pcapng': {note: 'corrupt-capture'},
  'pcapng-block-length-13.pcapng': {note: 'corrupt-capture'},
  'pcapng-block-length-huge.pcapng': {note: 'corrupt-capture'},
  'pcapng-trailer-mismatch.pcapng': {note: 'corrupt-capture'},
  'pcapng-bad-interface-id.pcapng': {note: 'corrupt-capture'},
  'pcapng-caplen-beyond-block.pcapng': {note: 'corrupt-capture'},
  'pcapng-second-shb-version-2.pcapng': {note: 'corrupt-capture'},
  'pcapng-cut-at-eof.pcapng': {note: 'truncated-capture'},
  'lab-lb1-cut-mid-record.pcap': {note: 'truncated-capture'},
  'lab-lan-cut-mid-block.pcapng': {note: 'truncated-capture'},
  'lab-lan-block-length-0.pcapng': {note: 'corrupt-capture'},
  'pcapng-unknown-linktype-and-ethernet.pcapng': {note: 'unsupported-link'},
}

describe('malformed-capture corpus', () => {
  let outcomes: Map<string, Outcome>
  it('runs drcheck on every file', async () => {
    expect(files.length).toBeGreaterThanOrEqual(60 + MALFORMED_PUBLIC.length)
    outcomes = await runAll()
    expect(outcomes.size).toBe(files.length)
  }, 600_000)

  for (const f of files) {
    const name = f.slice(f.lastIndexOf('/') + 1)
    it(name, () => {
      const o = outcomes.get(f)!
      const where = `${name}: status ${o.status} signal ${o.signal}\n${o.stderr}`
      expect(o.signal, where).toBeNull() // not killed by the 20 s bound, not aborted
      expect([0, 1, 2, 3], where).toContain(o.status)
      expect(o.stderr, where).not.toMatch(/\n\s+at |Unhandled|TypeError|RangeError/)
      const lines = o.stderr.trim() === '' ? [] : o.stderr.trim().split('\n')
      if (o.status === 3) {
        expect(lines, where).toHaveLength(1)
        expect(lines[0]).toContain(name)
      } else {
        expect(lines, where).toHaveLength(0)
        const j = JSON.parse(o.stdout)
        expect(['pass', 'fail', 'inconclusive']).toContain(j.verdict)
        if (j.inputs[0].corrupt) expect(j.verdict).not.toBe('pass')
      }
      const e = EXPECT[name]
      if (e?.status !== undefined) expect(o.status, where).toBe(e.status)
      if (e?.stderr) expect(o.stderr).toMatch(e.stderr)
      if (e?.note) expect(JSON.parse(o.stdout).notes.map((n: {kind: string}) => n.kind), where).toContain(e.note)
    })
  }
})
