// keepalived.conf import: keepalived's own sample configurations (fixtures/keepalived, values read
// from the files by eye), the lab's configurations against the lab captures (verdicts from
// fixtures/lab/README.md), syntax errors with file and line, and config-mismatch.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFAULT_OPTIONS, type CheckOptions} from '../../src/checks/context.js'
import type {CheckName, CheckResult} from '../../src/checks/types.js'
import {applyConfig} from '../../src/config/load.js'
import {expectationsOf, readKeepalivedConf} from '../../src/config/keepalived.js'
import {replayFiles} from '../../src/lib/run.js'

const root = join(import.meta.dirname, '..', '..')
const K = join(root, 'fixtures', 'keepalived')
const LAB = join(root, 'fixtures', 'lab')
const LB1CONF = join(root, 'lab', 'keepalived', 'lb1.conf'), LB2CONF = join(root, 'lab', 'keepalived', 'lb2.conf')
const bin = join(root, 'bin', 'run.js')

function run(files: string[], confs: string[], inventory?: string) {
  const options: CheckOptions = {...DEFAULT_OPTIONS, vips: [], vipsLearnt: true, lbMacs: [], proxyMacs: []}
  applyConfig(options, inventory, confs)
  const r = replayFiles(files.map((p) => ({path: p, label: p.split('/').slice(-2).join('/')})), options, ['source', 'arp', 'failover'])
  return {r, by: Object.fromEntries(r.checks.map((c) => [c.name, c])) as Record<CheckName, CheckResult>}
}

describe("keepalived's sample configurations", () => {
  const samples = readdirSync(K).filter((f) => f.startsWith('keepalived.conf.'))

  it('every sample reads without error (unknown keywords ignored)', () => {
    expect(samples.length).toBe(25)
    for (const f of samples) expect(() => readKeepalivedConf(join(K, f)), f).not.toThrow()
  })

  it('keepalived.conf.vrrp: four instances, authentication, a VIP listed twice counted once', () => {
    const c = readKeepalivedConf(join(K, 'keepalived.conf.vrrp'))
    expect(c.instances.map((i) => [i.name, i.interface, i.vrid, i.priority, i.advertIntS])).toEqual([
      ['VI_1', 'eth0', 51, 100, 1], ['VI_2', 'eth0', 50, 50, 1], ['VI_3', 'eth1', 52, 100, 1], ['VI_4', 'eth1', 53, 50, 1]])
    expect(c.instances[0].vips).toEqual(['192.168.200.16', '192.168.200.17', '192.168.200.18'])
    expect([c.instances[0].authType, c.instances[0].authPass]).toEqual(['PASS', '1111'])
    expect(c.instances[1].authType).toBeNull()
    expect(c.instances[0].version).toBe(2)
  })

  it('conditional_conf: both @high/@low priorities, version 3, use_vmac, advert_int 12', () => {
    const [i] = readKeepalivedConf(join(K, 'keepalived.conf.conditional_conf')).instances
    expect([i.vrid, i.priorities, i.advertIntS, i.version, i.useVmac, i.vips]).toEqual([1, [170, 85], 12, 3, true, ['10.1.0.254']])
  })

  it('SSL_GET: auth_type AH; IPv6: a NAT virtual server with an IPv6 real server (not proxies: not DR)', () => {
    expect(readKeepalivedConf(join(K, 'keepalived.conf.SSL_GET')).instances[0].authType).toBe('AH')
    const c = readKeepalivedConf(join(K, 'keepalived.conf.IPv6'))
    expect(c.virtualServers.map((v) => [v.vip, v.port, v.lbKind, v.protocol, v.realServers])).toEqual([['ae00::1', 80, 'NAT', 'TCP', [{ip: 'ae00::10', port: 25}]]])
    expect(expectationsOf([c]).proxyIps).toEqual([])
  })

  it('fwmark and virtual_server_group: read, no address', () => {
    const c = readKeepalivedConf(join(K, 'keepalived.conf.fwmark'))
    expect(c.virtualServers[0].vip).toBe('')
    expect(c.virtualServers[0].realServers.length).toBe(2)
  })
})

describe('the lab configurations', () => {
  it('lb1.conf: VRID 51 VRRPv2 (global vrrp_version) and VRID 52 VRRPv3 (instance version), priority 150, 1 s', () => {
    const c = readKeepalivedConf(LB1CONF)
    expect(c.instances.map((i) => [i.name, i.vrid, i.version, i.priority, i.advertIntS, i.vips, i.useVmac])).toEqual([
      ['VI_4', 51, 2, 150, 1, ['198.51.100.10'], false], ['VI_6', 52, 3, 150, 1, ['2001:db8:1::10'], false]])
    const e = expectationsOf([c, readKeepalivedConf(LB2CONF)])
    expect(e.vips).toEqual(['198.51.100.10', '2001:db8:1::10'])
    expect(e.vrids.get('51/ipv4')?.priorities).toEqual([150, 100])
    expect(e.vrids.get('52/ipv6')?.versions).toEqual([3])
  })

  it('lab-dr: include with a glob, DR virtual servers give the proxies, virtual_ipaddress_excluded is a VIP', () => {
    const c = readKeepalivedConf(join(K, 'lab-dr', 'keepalived.conf'))
    expect(c.files.map((f) => f.split('/').slice(-2).join('/'))).toEqual(['lab-dr/keepalived.conf', 'conf.d/10-vrrp.conf', 'conf.d/20-lvs.conf'])
    const e = expectationsOf([c])
    expect(e.proxyIps).toEqual(['198.51.100.21', '198.51.100.22', '2001:db8:1::21', '2001:db8:1::22'])
    expect(e.vips).toEqual(['198.51.100.10', '198.51.100.11', '2001:db8:1::10'])
    expect(c.instances[0].vipsExcluded).toEqual(['198.51.100.11'])
  })

  const readme = readFileSync(join(LAB, 'README.md'), 'utf8')
  const expected = new Map<string, Record<CheckName, string>>()
  for (const line of readme.split('\n')) {
    const m = /^\| `([\w-]+\/[\w.-]+\.pcap(?:ng)?)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/.exec(line)
    const v = (s: string) => s.replace(/\*|\(.*?\)/g, '').trim()
    if (m) expected.set(m[1], {source: v(m[2]), arp: v(m[3]), failover: v(m[4])})
  }
  // these scenarios run keepalived with a derived configuration (scripts/lab.sh ka_conf: VRRPv3 for
  // IPv4, advert_int 0.1): lb1.conf/lb2.conf do not describe them, a mismatch there is right
  const derived = new Set(['vrrp3-ipv4', 'fast-interval'])
  for (const [file, want] of expected) {
    if (derived.has(file.split('/')[0]!)) continue
    it(`${file}: lb1.conf + lb2.conf alone give the README's verdicts (VIPs from the configuration, no mismatch)`, () => {
      const {r, by} = run([join(LAB, file)], [LB1CONF, LB2CONF])
      expect(r.vipsLearnt).toBe(false)
      expect(r.vips.sort()).toEqual(['198.51.100.10', '2001:db8:1::10'])
      for (const name of ['source', 'arp', 'failover'] as CheckName[]) expect(by[name].verdict, `${file} ${name}: ${by[name].summary}`).toBe(want[name])
      // lb1 and lb2 advertise what their configurations say; only an intruder can mismatch
      // (vrid-collision: another cluster's router 198.51.100.4 on VRID 51 with 198.51.100.50)
      const mm = by.failover.findings.filter((f) => f.kind === 'config-mismatch')
      expect(mm.filter((f) => ['198.51.100.2', '198.51.100.3', 'fe80::ff:fe00:11', 'fe80::ff:fe00:12'].includes(f.ip!))).toEqual([])
      if (file.startsWith('vrid-collision/')) expect(mm.some((f) => f.severity === 'fail' && f.ip === '198.51.100.4' && /198\.51\.100\.50/.test(f.message))).toBe(true)
      else expect(mm).toEqual([])
      for (const t of by.failover.transitions ?? []) expect(t.intervalFrom).toBe('config')
    })
  }
})

describe('config-mismatch and the configured bound', () => {
  it('advert_int 2 configured, 1 s on the wire: config-mismatch fail per router and VRID; the bound uses 2 s', () => {
    const {by} = run([join(LAB, 'failover-hard', 'lan.pcapng')], [join(K, 'lab-slow.conf')])
    const mm = by.failover.findings.filter((f) => f.kind === 'config-mismatch')
    // lb1 and lb2, VRID 51 and 52 (4 routers × VRIDs), all advertising every 1 s
    expect(mm.filter((f) => f.severity === 'fail').map((f) => f.ip).sort()).toEqual(['198.51.100.2', '198.51.100.3', 'fe80::ff:fe00:11', 'fe80::ff:fe00:12'])
    // lab-slow.conf is lb1's (priority 150): lb2's 100 is not configured there → a warning each
    expect(mm.filter((f) => f.severity === 'warn').map((f) => f.ip).sort()).toEqual(['198.51.100.3', 'fe80::ff:fe00:12'])
    expect(mm[0].message).toMatch(/every 1 s .* advert_int 2/)
    expect(by.failover.verdict).toBe('fail')
    // Master_Down_Interval with the configured 2 s and lb2's priority 100:
    // v2: 3 × 2 + (256 − 100)/256 = 6.609375 s; v3: 3 × 2 + (256 − 100) × 2/256 = 6.609375 … ×2 skew = 7.21875 s
    const b = Object.fromEntries((by.failover.transitions ?? []).map((t) => [t.vrid, t.boundMs]))
    expect(b).toEqual({51: 6609.4, 52: 7218.8})
  })

  it('priority not configured is a warning (a track_script weight), not a fail', () => {
    // lb1.conf alone configures only priority 150: lb2 advertising 100 after the failover
    const {by} = run([join(LAB, 'failover-graceful', 'lan.pcapng')], [LB1CONF])
    const mm = by.failover.findings.filter((f) => f.kind === 'config-mismatch')
    expect(mm.length).toBe(2)
    expect(mm.every((f) => f.severity === 'warn' && /priority 100/.test(f.message))).toBe(true)
    expect(by.failover.verdict).toBe('pass')
  })
})

describe('syntax errors name the file and line (exit 3, one line)', () => {
  const cases: [string, RegExp][] = [
    ['bad/unclosed.conf', /unclosed\.conf:5: syntax error: "\{" is never closed/],
    ['bad/stray.conf', /stray\.conf:4: syntax error: "\}" without a matching "\{"/],
    ['bad/loop.conf', /loop\.conf:1: include nested more than 16 deep/],
  ]
  for (const [file, re] of cases) {
    it(file, () => {
      const r = spawnSync(process.execPath, [bin, 'verify', '-r', join(LAB, 'healthy', 'lan.pcapng'), '--keepalived-conf', join(K, file)], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
      expect(r.status).toBe(3)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(re)
    })
  }
  it('a missing file', () => {
    const r = spawnSync(process.execPath, [bin, 'verify', '-r', join(LAB, 'healthy', 'lan.pcapng'), '--keepalived-conf', join(mkdtempSync(join(tmpdir(), 'drc-')), 'nope.conf')], {encoding: 'utf8'})
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/--keepalived-conf .*nope\.conf: cannot read \(ENOENT\)/)
  })
})
