// An interface that goes down while drcheck captures on it (README, Bad input). In a network
// namespace of its own (drc-t4: a veth pair, nothing else), drcheck captures on t4a and the link
// is deleted 2 s later. The contract: one line naming the interface, what was seen reported, exit 3
// when nothing could be judged.
//
// The unpatched `cap` binding asserts on a poll error (binding.cc cb_packets: `assert(status == 0)`)
// and the process aborted (SIGABRT, exit 134); scripts/patch-cap.mjs (postinstall) turns that into
// an 'error' event, which ends the capture.

import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const ns = 'drc-t4'
const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], {encoding: 'utf8'})
const canRun = process.getuid?.() === 0 && sh('command -v ip').status === 0
const ci = process.env.CI === 'true'
if (!canRun && !ci) console.warn('live-down test skipped: needs root and iproute2')

describe.skipIf(!canRun && !ci)('an interface that goes down while capturing', () => {
  afterAll(() => { sh(`ip netns del ${ns} 2>/dev/null`) })

  it('ends with one line naming the interface, exit 3 (nothing judged)', () => {
    sh(`ip netns del ${ns} 2>/dev/null`)
    expect(sh(`ip netns add ${ns} && ip -n ${ns} link add t4a type veth peer name t4b && ip -n ${ns} link set t4a up && ip -n ${ns} link set t4b up`).status).toBe(0)
    const r = spawnSync('sh', ['-c', `(sleep 2; ip -n ${ns} link del t4a) & exec ip netns exec ${ns} ${process.execPath} ${join(root, 'bin/run.js')} verify -i t4a --duration 8s; `],
      {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 30_000})
    expect(r.signal).toBeNull()
    expect(r.status, r.stderr).toBe(3)
    const lines = r.stderr.trim().split('\n').filter((l) => !/no IPv4 address assigned/.test(l))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/interface t4a: .*(down|gone|removed)/)
  })
})
