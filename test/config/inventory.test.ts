// The inventory: its YAML subset and JSON, errors with file and line, host names in the findings of
// the lab fixtures (culprits from fixtures/lab/README.md), and roles sharpening verdicts: a proxy that
// claims the VIP is real-server-answers even when the capture holds none of its replies.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFAULT_OPTIONS, type CheckOptions} from '../../src/checks/context.js'
import type {CheckName, CheckResult} from '../../src/checks/types.js'
import {parseInventory, readInventory} from '../../src/config/inventory.js'
import {applyConfig} from '../../src/config/load.js'
import {parseYamlLite} from '../../src/config/yaml-lite.js'
import {replayFiles} from '../../src/lib/run.js'

const root = join(import.meta.dirname, '..', '..')
const LAB = join(root, 'fixtures', 'lab')
const INV = join(root, 'lab', 'inventory.yaml')
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-inv-'))
const bin = join(root, 'bin', 'run.js')

function run(file: string, inventory?: string, confs: string[] = []) {
  const options: CheckOptions = {...DEFAULT_OPTIONS, vips: [], vipsLearnt: true, lbMacs: [], proxyMacs: []}
  applyConfig(options, inventory, confs)
  const r = replayFiles([{path: file, label: file.split('/').pop()!}], options, ['source', 'arp', 'failover'])
  return Object.fromEntries(r.checks.map((c) => [c.name, c])) as Record<CheckName, CheckResult>
}

describe('YAML subset', () => {
  it('mappings, lists of mappings, flow lists, quoted and plain scalars, comments', () => {
    expect(parseYamlLite(`# c\nhosts:\n  - name: rs1   # proxy\n    role: proxy\n    macs: ["02:00:00:00:00:21", 02:00:00:00:00:99]\n    addresses:\n      - 198.51.100.21\n      - '2001:db8:1::21'\nvips: [{address: 198.51.100.10, vrid: 51}]\nn: 3\nb: true\nz: ~\n`)).toEqual({
      hosts: [{name: 'rs1', role: 'proxy', macs: ['02:00:00:00:00:21', '02:00:00:00:00:99'], addresses: ['198.51.100.21', '2001:db8:1::21']}],
      vips: [{address: '198.51.100.10', vrid: 51}], n: 3, b: true, z: null,
    })
  })
  it('a list directly under its key, at the same indentation', () => {
    expect(parseYamlLite('vips:\n- 198.51.100.10\n- "2001:db8:1::10"\n')).toEqual({vips: ['198.51.100.10', '2001:db8:1::10']})
  })
  for (const [text, line, re] of [
    ['hosts:\n\t- name: x\n', 2, /tab/],
    ['a: 1\n  b: 2\n', 2, /indentation/],
    ['a: &x 1\n', 1, /unsupported/],
    ['a: [1, 2\n', 1, /"\]"/],
    ['a: 1\na: 2\n', 2, /twice/],
  ] as [string, number, RegExp][]) {
    it(`refused with its line: ${JSON.stringify(text)}`, () => {
      expect(() => parseInventory(text, 'inv.yaml')).toThrow(new RegExp(`^--inventory inv\\.yaml:${line}: .*${re.source}`))
    })
  }
})

describe('inventory', () => {
  it('lab/inventory.yaml matches the address table of fixtures/lab/README.md', () => {
    const inv = readInventory(INV)
    expect(inv.hosts.map((h) => [h.name, h.role, h.macs[0]])).toEqual([
      ['lb1', 'lb', '02:00:00:00:00:11'], ['lb2', 'lb', '02:00:00:00:00:12'], ['rs1', 'proxy', '02:00:00:00:00:21'],
      ['rs2', 'proxy', '02:00:00:00:00:22'], ['router', 'gateway', '02:00:00:00:00:01'], ['client', 'client', '02:00:00:00:01:00']])
    expect(inv.hosts[2].addresses).toEqual(['198.51.100.21', '2001:db8:1::21', 'fe80::ff:fe00:21'])
    expect(inv.vips).toEqual([{address: '198.51.100.10', vrid: 51}, {address: '2001:db8:1::10', vrid: 52}])
  })

  it('the same inventory as JSON reads the same', () => {
    const y = readInventory(INV)
    const p = join(tmp, 'inv.json')
    writeFileSync(p, JSON.stringify({hosts: y.hosts, vips: y.vips}))
    const j = readInventory(p)
    expect([j.hosts, j.vips]).toEqual([y.hosts, y.vips])
  })

  for (const [doc, re] of [
    ['hosts:\n  - name: a\n    role: balancer\n', /role balancer is not one of lb, proxy, gateway, client/],
    ['hosts:\n  - name: a\n    macs: [zz]\n', /host a: MAC zz: not a MAC/],
    ['hosts:\n  - name: a\n    mac: "02:00:00:00:00:01"\n  - name: b\n    mac: "02:00:00:00:00:01"\n', /belongs to both a and b/],
    ['vips:\n  - address: 198.51.100.10\n    vrid: 300\n', /vrid 300: want 1 to 255/],
    ['{"hosts": [', /not valid JSON/],
  ] as [string, RegExp][]) {
    it(`bad inventory: exit 3, one line (${re.source.slice(0, 30)})`, () => {
      const p = join(tmp, `bad-${Math.random().toString(36).slice(2)}.yaml`)
      writeFileSync(p, doc)
      const r = spawnSync(process.execPath, [bin, 'verify', '-r', join(LAB, 'healthy', 'lan.pcapng'), '--inventory', p], {encoding: 'utf8'})
      expect(r.status).toBe(3)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(re)
    })
  }
})

describe('lab fixtures reported with the inventory name the hosts', () => {
  it('arp-leak/lan.pcapng: rs1 answered ARP for the VIP at frame 11 (conflict with lb1 at frame 12)', () => {
    const by = run(join(LAB, 'arp-leak', 'lan.pcapng'), INV)
    const f = by.arp.findings.find((x) => x.kind === 'real-server-answers')!
    expect([f.frame, f.host, f.mac]).toEqual([11, 'rs1', '02:00:00:00:00:21'])
    expect(f.message).toMatch(/^proxy rs1 \(02:00:00:00:00:21\) .*198\.51\.100\.10.*frame 11/)
    const c = by.arp.findings.find((x) => x.kind === 'conflict')!
    expect(c.message).toContain('lb1 (02:00:00:00:00:11)')
    expect(c.message).toContain('rs1 (02:00:00:00:00:21)')
    expect(c.message).not.toMatch(/(?<!\()02:00:00:00:00:(11|21)/) // every MAC comes with its name
  })

  it('udp-wrong-source/lan.pcapng: the wrong source is rs1 and its own address is named', () => {
    const by = run(join(LAB, 'udp-wrong-source', 'lan.pcapng'), INV)
    const ws = by.source.findings.filter((x) => x.kind === 'wrong-source' && x.frame === 19)
    expect(ws).toHaveLength(1)
    expect(ws[0].host).toBe('rs1')
    expect(ws[0].message).toContain('rs1 (198.51.100.21)')
  })

  it('failover-hard/lan.pcapng: transitions from lb1 to lb2, lb1 the stale owner', () => {
    const by = run(join(LAB, 'failover-hard', 'lan.pcapng'), INV)
    expect((by.failover.transitions ?? []).map((t) => [t.vrid, t.fromHost, t.toHost])).toEqual([[51, 'lb1', 'lb2'], [52, 'lb1', 'lb2']])
    const stale = by.arp.findings.filter((x) => x.kind === 'stale-owner')
    expect(stale.map((x) => [x.frame, x.host])).toEqual([[353, 'lb1'], [359, 'lb1']])
    // lb1's address and MAC side by side are named once
    expect(stale[1].message).toMatch(/^former master lb1 \(198\.51\.100\.2, 02:00:00:00:00:11\) sent an ARP reply .* after lb2 \(198\.51\.100\.3\) took over/)
  })

  it('without an inventory nothing is named (host absent)', () => {
    const by = run(join(LAB, 'arp-leak', 'lan.pcapng'))
    expect(by.arp.findings.every((f) => f.host === undefined)).toBe(true)
  })
})

describe('roles sharpen the verdicts', () => {
  const have = spawnSync('tshark', ['-v']).status === 0
  it.skipIf(!have)('a proxy claiming the VIP with none of its replies in the capture: foreign-claim without roles, real-server-answers with the inventory or keepalived.conf', () => {
    // arp-leak/lan.pcapng without any VIP-sourced frame from rs1 (tshark writes the copy)
    const cut = join(tmp, 'arp-leak-no-rs1-replies.pcapng')
    const w = spawnSync('tshark', ['-r', join(LAB, 'arp-leak', 'lan.pcapng'), '-Y', '!(eth.src==02:00:00:00:00:21 && (ip.src==198.51.100.10 || ipv6.src==2001:db8:1::10))', '-w', cut], {encoding: 'utf8'})
    expect(w.status, w.stderr).toBe(0)
    const q = spawnSync('tshark', ['-r', cut, '-Y', 'arp.opcode==2 && arp.src.proto_ipv4==198.51.100.10 && arp.src.hw_mac==02:00:00:00:00:21', '-T', 'fields', '-e', 'frame.number'], {encoding: 'utf8'})
    const frame = Number(q.stdout.trim())
    expect(frame).toBeGreaterThan(0)
    const plain = run(cut)
    expect(plain.arp.findings.filter((f) => f.frame === frame).map((f) => f.kind)).toEqual(['foreign-claim'])
    const inv = run(cut, INV)
    expect(inv.arp.findings.filter((f) => f.frame === frame).map((f) => [f.kind, f.host])).toEqual([['real-server-answers', 'rs1']])
    // keepalived.conf names proxies by address: rs1's own addresses never appear in this capture (only
    // its link-local one), so its MAC stays unknown and the claim is still foreign-claim …
    const lvs = join(root, 'fixtures', 'keepalived', 'lab-dr', 'keepalived.conf')
    expect(run(cut, undefined, [lvs]).arp.findings.filter((f) => f.frame === frame).map((f) => f.kind)).toEqual(['foreign-claim'])
    // … until a frame binds real_server 198.51.100.21 to rs1's MAC: healthy/lan.pcapng frame 7, rs1's
    // ARP request "who has 198.51.100.1? tell 198.51.100.21" (tshark), appended at the end of the copy
    const one = join(tmp, 'ns.pcapng'), joined = join(tmp, 'arp-leak-plus-ns.pcapng')
    const ns = spawnSync('tshark', ['-r', join(LAB, 'healthy', 'lan.pcapng'), '-Y', 'frame.number==7 && arp.src.proto_ipv4==198.51.100.21 && arp.src.hw_mac==02:00:00:00:00:21', '-w', one], {encoding: 'utf8'})
    expect(ns.status, ns.stderr).toBe(0)
    expect(spawnSync('mergecap', ['-a', '-w', joined, cut, one]).status).toBe(0)
    expect(spawnSync('capinfos', ['-c', '-M', one], {encoding: 'utf8'}).stdout).toMatch(/Number of packets:\s+1\b/)
    expect(run(joined, undefined, [lvs]).arp.findings.filter((f) => f.frame === frame).map((f) => f.kind)).toEqual(['real-server-answers'])
  })
})
