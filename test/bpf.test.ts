// The live prefilter, compiled by libpcap itself (tcpdump -r FILE FILTER) and run over the lab
// fixtures: it must keep every ARP, ICMPv6 and VRRP frame (counted by tshark) and must not change
// any verdict.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildFilter} from '../src/capture/bpf.js'
import {DEFAULT_OPTIONS} from '../src/checks/context.js'
import {replayFiles} from '../src/lib/run.js'

const have = spawnSync('sh', ['-c', 'command -v tcpdump && command -v tshark']).status === 0
if (!have && process.env.CI !== 'true') console.warn('BPF tests skipped: tcpdump or tshark missing (run scripts/setup-system.sh)')
const dir = join(import.meta.dirname, '..', 'fixtures', 'lab')
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-bpf-'))
const VIPS = ['198.51.100.10', '2001:db8:1::10']

function tsharkCount(file: string, filter: string): number {
  const r = spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {encoding: 'utf8'})
  return r.stdout.split('\n').filter(Boolean).length
}

function verdicts(file: string) {
  const r = replayFiles([{path: file, label: 'x'}], {...DEFAULT_OPTIONS, vips: VIPS, vipsLearnt: false, lbMacs: [], proxyMacs: []}, ['source', 'arp', 'failover'])
  return r.checks.map((c) => `${c.name}:${c.verdict}`)
}

describe.runIf(have || process.env.CI === 'true')('live BPF prefilter', () => {
  for (const scenario of ['healthy', 'arp-leak', 'udp-wrong-source', 'failover-hard']) {
    for (const filter of [buildFilter(VIPS), buildFilter([])]) {
      it(`${scenario}/lan.pcapng through ${filter.length > 400 ? 'the VIP filter' : 'the no-VIP filter'}`, () => {
        const src = join(dir, scenario, 'lan.pcapng')
        const out = join(tmp, `${scenario}-${filter.length}.pcap`)
        const r = spawnSync('tcpdump', ['-r', src, '-w', out, filter], {encoding: 'utf8'})
        expect(r.status, r.stderr).toBe(0)
        const needed = 'arp || vrrp || icmpv6.type == 135 || icmpv6.type == 136'
        expect(tsharkCount(out, needed)).toBe(tsharkCount(src, needed))
        expect(verdicts(out)).toEqual(verdicts(src))
      })
    }
  }
})
