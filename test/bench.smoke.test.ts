// The benchmark's short run (CI runs only this; `npm run bench` by hand): it must generate its
// capture, time drcheck, tcpdump and tshark on it, and report rates and ratios.
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..')
const have = spawnSync('sh', ['-c', 'command -v tcpdump && command -v tshark && command -v editcap']).status === 0
if (!have && process.env.CI !== 'true') console.warn('bench smoke skipped: tcpdump/tshark missing (run scripts/setup-system.sh)')

describe.runIf(have || process.env.CI === 'true')('npm run bench -- --smoke', () => {
  it('times drcheck, tcpdump and tshark on a generated 100 k-packet capture', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/bench.mjs'), '--smoke'], {encoding: 'utf8', timeout: 180_000})
    expect(r.status, r.stderr).toBe(0)
    for (const tool of ['drcheck verify', 'tcpdump BPF', 'tshark -Y']) expect(r.stdout).toMatch(new RegExp(`${tool}\\s+[\\d.]+ s\\s+[\\d.]+ Mpps\\s+\\d+ MB`))
    const res = JSON.parse(readFileSync(join(root, 'bench-data', 'results-smoke.json'), 'utf8'))
    const row = res.results[0]
    expect(row.packets).toBe(100000)
    expect(row.drcheck.packetsPerSecond).toBeGreaterThan(0)
    expect(row.vsTcpdump).toBeGreaterThan(0)
    expect(row.vsTshark).toBeGreaterThan(0)
  }, 200_000)
})
