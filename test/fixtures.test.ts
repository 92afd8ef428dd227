// Every lab fixture replayed through `verify`, against the verdicts fixtures/lab/README.md gives
// for it. That table was written from the scenario each capture was recorded in and checked with
// tshark (fixtures/lab/tshark-facts.txt); the culprit frames below are quoted from it.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFAULT_OPTIONS} from '../src/checks/context.js'
import type {CheckName, CheckResult} from '../src/checks/types.js'
import {replayFiles} from '../src/lib/run.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'lab')
const readme = readFileSync(join(dir, 'README.md'), 'utf8')

/** `| \`healthy/lan.pcapng\` | pass | pass | inconclusive | …` → expected verdicts */
const expected = new Map<string, Record<CheckName, string>>()
for (const line of readme.split('\n')) {
  const m = /^\| `([\w-]+\/[\w.-]+\.pcap(?:ng)?)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/.exec(line)
  if (!m) continue
  const v = (s: string) => s.replace(/\*|\(.*?\)/g, '').trim()
  expected.set(m[1], {source: v(m[2]), arp: v(m[3]), failover: v(m[4])})
}

function verify(file: string) {
  const path = join(dir, file)
  const options = {...DEFAULT_OPTIONS, vips: [], vipsLearnt: true, lbMacs: [], proxyMacs: []}
  const r = replayFiles([{path, label: file}], options, ['source', 'arp', 'failover'])
  const byName = Object.fromEntries(r.checks.map((c) => [c.name, c])) as Record<CheckName, CheckResult>
  return {r, byName}
}

const LB1 = '02:00:00:00:00:11', LB2 = '02:00:00:00:00:12', RS1 = '02:00:00:00:00:21', RS2 = '02:00:00:00:00:22'
const VIP4 = '198.51.100.10', VIP6 = '2001:db8:1::10'

describe('lab fixtures: verdicts as fixtures/lab/README.md states them', () => {
  const files = readdirSync(dir, {withFileTypes: true}).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${d.name}/${f}`))

  it('the README has a row for every fixture', () => {
    expect(files.length).toBeGreaterThanOrEqual(20)
    for (const f of files) expect(expected.has(f), f).toBe(true)
  })

  for (const f of files) {
    it(f, () => {
      const want = expected.get(f)
      if (!want) return
      const {byName} = verify(f)
      for (const name of ['source', 'arp', 'failover'] as CheckName[]) {
        expect(byName[name].verdict, `${f} ${name}: ${byName[name].summary}`).toBe(want[name])
      }
    })
  }
})

describe('lab fixtures: the culprit and its frame', () => {
  const find = (c: CheckResult, kind: string) => c.findings.filter((x) => x.kind === kind)

  it('arp-leak: rs1 answers ARP for the VIP (LAN frame 11, rs1 frame 9)', () => {
    const lan = find(verify('arp-leak/lan.pcapng').byName.arp, 'real-server-answers')
    expect(lan).toHaveLength(1)
    expect(lan[0]).toMatchObject({mac: RS1, ip: '198.51.100.10', frame: 11, file: 'arp-leak/lan.pcapng'})
    expect(find(verify('arp-leak/lan.pcapng').byName.arp, 'conflict').length).toBeGreaterThan(0)
    for (const f of ['arp-leak/rs1-ns.pcap', 'arp-leak/rs1-any.pcap']) {
      expect(find(verify(f).byName.arp, 'real-server-answers')[0]).toMatchObject({mac: RS1, frame: 9})
    }
  })

  it('udp-wrong-source: rs1 answers from its own address (LAN frames 19 and 49; rs1 frames 14 and 26)', () => {
    const lan = find(verify('udp-wrong-source/lan.pcapng').byName.source, 'wrong-source')
    expect(lan.every((x) => x.mac === RS1)).toBe(true)
    expect(lan.map((x) => x.frame)).toEqual(expect.arrayContaining([19, 49, 79, 68]))
    expect(lan.length).toBe(14)
    const ips = new Set(lan.map((x) => x.ip))
    expect(ips).toEqual(new Set(['198.51.100.21', '2001:db8:1::21']))
    const rs = find(verify('udp-wrong-source/rs1-ns.pcap').byName.source, 'wrong-source').map((x) => x.frame)
    expect(rs.slice().sort((a, b) => a! - b!).slice(0, 2)).toEqual([14, 26])
  })

  it('failover-graceful: priority-0 advert → first advert of lb2, takeover within the skew bound', () => {
    const t = verify('failover-graceful/lan.pcapng').byName.failover.transitions!
    const v4 = t.find((x) => x.vrid === 51)!, v6 = t.find((x) => x.vrid === 52)!
    expect([v4.fromFrame, v4.toFrame, v6.fromFrame, v6.toFrame]).toEqual([177, 189, 178, 195])
    for (const x of [v4, v6]) {
      expect(x.graceful).toBe(true)
      expect(x.boundMs).toBeCloseTo((156 / 256) * 1000, 0) // skew only after priority 0
      expect(x.takeoverMs).toBeLessThan(x.limitMs)
      expect(x.toMac).toBe('02:00:00:00:00:12')
    }
  })

  it('failover-hard: takeover ≈ 3 × 1 s + 156/256 s, then lb1 still answers for both VIPs (stale-owner)', () => {
    const {byName} = verify('failover-hard/lan.pcapng')
    const t = byName.failover.transitions!
    const v4 = t.find((x) => x.vrid === 51)!
    expect([v4.fromFrame, v4.toFrame]).toEqual([137, 258])
    expect(v4.graceful).toBe(false)
    expect(v4.boundMs).toBeCloseTo(3000 + (156 / 256) * 1000, 0)
    expect(Math.abs(v4.takeoverMs - v4.boundMs)).toBeLessThan(150)
    expect(v4.announceMs).not.toBeNull()
    const stale = find(byName.arp, 'stale-owner')
    expect(stale.map((x) => x.frame).sort()).toEqual([353, 359])
    expect(stale.every((x) => x.mac === LB1)).toBe(true)
    expect(find(byName.failover, 'stale-owner').length).toBe(2)
    expect(find(verify('failover-hard/lb1.pcap').byName.arp, 'stale-owner').map((x) => x.frame).sort()).toEqual([200, 202])
  })
  // frames below: tshark (fixtures/lab/tshark-facts.txt and the README's evidence column)
  it('proxy-without-vip: requests forwarded to rs1 stay unanswered, only rs1 is named', () => {
    for (const f of ['proxy-without-vip/lan.pcapng', 'proxy-without-vip/rs1-ns.pcap']) {
      const un = find(verify(f).byName.source, 'unanswered')
      expect(un.length, f).toBeGreaterThan(0)
      expect(un.every((x) => x.mac === RS1), f).toBe(true)
      expect(new Set(un.map((x) => x.ip)), f).toEqual(new Set([VIP4, VIP6]))
    }
    const rs = find(verify('proxy-without-vip/rs1-ns.pcap').byName.source, 'unanswered').map((x) => x.frame!)
    expect(Math.min(...rs)).toBe(5) // first request to the VIP arriving at rs1 (tshark)
    expect(rs).toContain(8) // first IPv6 one
    // the lab client's endpoints as people write them: [IPv6]:port, and an echo id is no port
    const msgs = find(verify('proxy-without-vip/rs1-ns.pcap').byName.source, 'unanswered').map((x) => x.message)
    expect(msgs.some((m) => /request from \[2001:db8:2::100\]:\d+ to 2001:db8:1::10 \((TCP|UDP) /.test(m))).toBe(true)
    expect(msgs.some((m) => /request from 203\.0\.113\.100 \(echo id \d+\) to 198\.51\.100\.10 \(ICMP echo\)/.test(m))).toBe(true)
  })

  // the copy that reached rs1 (11), not the router → lb1 copy (10): wrong before b7ffd35
  it('proxy-without-vip/lan: the unanswered evidence is the copy that reached rs1 (frames 11, 25)', () => {
    const un = find(verify('proxy-without-vip/lan.pcapng').byName.source, 'unanswered').map((x) => x.frame!)
    expect(un).toEqual(expect.arrayContaining([11, 25]))
  })

  it('replies-via-lb: rs1 sends its replies to lb1\'s MAC (LAN frame 36, lb1 frame 27, rs1 frame 10)', () => {
    for (const [f, frame] of [['replies-via-lb/lan.pcapng', 36], ['replies-via-lb/lb1.pcap', 27], ['replies-via-lb/rs1-ns.pcap', 10]] as const) {
      const v = find(verify(f).byName.source, 'via-lb')
      expect(v.length, f).toBeGreaterThan(0)
      expect(v[0], f).toMatchObject({mac: RS1, frame, ip: VIP6})
    }
    expect(verify('replies-via-lb/lan.pcapng').byName.arp.verdict).toBe('pass') // lb1's NS from its VIP is the active LB's
  })

  // rs2's replies go straight to the router: invisible from lb1's port, not unanswered (wrong before b7ffd35)
  it('replies-via-lb/lb1: no unanswered for the requests lb1 forwarded to rs2', () => {
    expect(find(verify('replies-via-lb/lb1.pcap').byName.source, 'unanswered').filter((x) => x.mac === RS2)).toEqual([])
  })

  it('arp-announce: rs1 ARPs for its gateway with the VIP as sender (LAN frame 7, rs1 frame 5)', () => {
    const lan = find(verify('arp-announce/lan.pcapng').byName.arp, 'real-server-announces')
    expect(lan[0]).toMatchObject({mac: RS1, ip: VIP4, frame: 7})
    expect(find(verify('arp-announce/rs1-ns.pcap').byName.arp, 'real-server-announces')[0]).toMatchObject({mac: RS1, ip: VIP4, frame: 5})
    // from lb1's port rs1 sends no visible reply: not known as a proxy there (README's role rule)
    const lb = verify('arp-announce/lb1.pcap').byName.arp
    expect(lb.findings.filter((x) => x.severity === 'fail').map((x) => [x.mac, x.frame])).toContainEqual([RS1, 7])
    for (const f of ['arp-announce/lan.pcapng', 'arp-announce/lb1.pcap', 'arp-announce/rs1-ns.pcap']) {
      expect(verify(f).byName.arp.findings.filter((x) => x.severity === 'fail').every((x) => x.ip === VIP4), f).toBe(true)
    }
  })

  it('vip6-on-lan: rs1 answers NS for the IPv6 VIP (LAN frame 11) and sends NS from it (frame 14)', () => {
    const arp = verify('vip6-on-lan/lan.pcapng').byName.arp
    expect(find(arp, 'real-server-answers')).toEqual([expect.objectContaining({mac: RS1, ip: VIP6, frame: 11})])
    expect(find(arp, 'real-server-announces')[0]).toMatchObject({mac: RS1, ip: VIP6, frame: 14})
    const rs = verify('vip6-on-lan/rs1-ns.pcap').byName.arp
    expect(find(rs, 'real-server-answers')[0]).toMatchObject({mac: RS1, ip: VIP6, frame: 6})
    expect(find(rs, 'real-server-announces')[0]).toMatchObject({mac: RS1, ip: VIP6, frame: 8})
    expect(arp.findings.some((x) => x.ip === VIP4 && x.severity === 'fail')).toBe(false)
  })
  it('split-brain: lb2 advertises from frame 297 (VRID 51) / 303 (VRID 52) while lb1 goes on; GARPs conflict', () => {
    const {byName} = verify('split-brain/lan.pcapng')
    const sb = find(byName.failover, 'split-brain')
    expect(sb.map((x) => x.frame).sort((a, b) => a! - b!)).toEqual([297, 303])
    expect(sb.every((x) => x.mac === LB2)).toBe(true)
    expect(find(byName.arp, 'conflict').map((x) => x.frame).sort((a, b) => a! - b!)).toEqual([305, 316])
  })

  it('failover-link-down: lb1 silent, lb2 first advert after Master_Down_Interval (137 → 174, 138 → 180)', () => {
    const t = verify('failover-link-down/lan.pcapng').byName.failover.transitions!
    expect(t.map((x) => [x.vrid, x.fromFrame, x.toFrame]).sort()).toEqual([[51, 137, 174], [52, 138, 180]])
    for (const x of t) {
      expect(x.graceful).toBe(false)
      expect(x.boundMs).toBeCloseTo(3000 + (156 / 256) * 1000, 0)
      expect(Math.abs(x.takeoverMs - 3609.5)).toBeLessThan(1) // tshark: 3609.6 / 3609.5 ms
      expect(x.toMac).toBe(LB2)
    }
  })

  it('flapping: four master changes per VRID within 11.5 s, the last ones at frames 653 / 659', () => {
    const f = verify('flapping/lan.pcapng').byName.failover
    expect(f.transitions!.filter((x) => x.vrid === 51).map((x) => x.toFrame)).toEqual([102, 307, 441, 653])
    expect(f.transitions!.filter((x) => x.vrid === 52).map((x) => x.toFrame)).toEqual([108, 313, 447, 659])
    expect(find(f, 'flapping').map((x) => x.frame).sort()).toEqual([653, 659])
  })

  it('vrid-collision: lb3 (198.51.100.4, 198.51.100.50) and the lab pair share VRID 51; lb1/lb2 GARPs conflict at 434/435', () => {
    const {byName} = verify('vrid-collision/lan.pcapng')
    const c = find(byName.failover, 'vrid-collision')
    expect(c.length).toBeGreaterThan(0)
    expect(c[0].message).toContain('198.51.100.4')
    expect(c[0].frame).toBe(3)
    // the addresses in the routers' order: lb1 (.2) advertises the VIP .10, lb3 (.4) .50 (the scenario)
    expect(c[0].message).toContain('198.51.100.2 and 198.51.100.4 both advertise VRID 51 (ipv4) with different settings (addresses 198.51.100.10 vs 198.51.100.50)')
    expect(find(byName.arp, 'conflict').map((x) => x.frame)).toContain(435)
  })

  // lb1 and lb3 serve different addresses: a collision, not a split brain (wrong before b7ffd35)
  it('vrid-collision: no split-brain and no stale-owner between the two clusters', () => {
    const {byName} = verify('vrid-collision/lan.pcapng')
    expect(find(byName.failover, 'split-brain')).toEqual([])
    expect(find(byName.arp, 'stale-owner')).toEqual([])
  })
  // VRRP variants: bounds from the VRRP arithmetic of each configuration (new master lb2, prio 100)
  it('vrrp3-ipv4: VRRPv3 adverts for the IPv4 VIP, graceful takeover within the skew (139 → 150, 140 → 156)', () => {
    const f = verify('vrrp3-ipv4/lan.pcapng').byName.failover
    expect(f.transitions!.map((x) => [x.vrid, x.fromFrame, x.toFrame]).sort()).toEqual([[51, 139, 150], [52, 140, 156]])
    for (const x of f.transitions!) expect(x.boundMs).toBeCloseTo((156 / 256) * 1000, 0)
  })

  it('fast-interval: 0.1 s adverts, hard takeover ≈ 367 ms against 3 × 100 ms + 156/256 × 100 ms', () => {
    const t = verify('fast-interval/lan.pcapng').byName.failover.transitions!
    expect(t.map((x) => [x.vrid, x.fromFrame, x.toFrame]).sort()).toEqual([[51, 215, 255], [52, 216, 261]])
    for (const x of t) {
      expect(x.boundMs).toBeCloseTo(300 + (156 / 256) * 100, 0)
      expect(Math.abs(x.takeoverMs - 367.4)).toBeLessThan(1) // tshark: 367.3 / 367.5 ms
      expect(x.graceful).toBe(false)
    }
  })

  it('use-vmac: both LBs advertise from the virtual MACs; VRID 52\'s MAC answers ARP for the IPv4 VIP (frame 4)', () => {
    const {byName} = verify('use-vmac/lan.pcapng')
    const t = byName.failover.transitions!
    expect(t.map((x) => [x.vrid, x.fromFrame, x.toFrame, x.toMac]).sort())
      .toEqual([[51, 140, 151, '00:00:5e:00:01:33'], [52, 141, 157, '00:00:5e:00:02:34']])
    const bad = byName.arp.findings.filter((x) => x.severity === 'fail')
    expect(bad.map((x) => x.frame)).toContain(4)
    expect(bad.find((x) => x.frame === 4)).toMatchObject({mac: '00:00:5e:00:02:34', ip: VIP4})
  })

  it('unicast-peers: unicast adverts, ICMP-quoted adverts not taken as lb1 (215 → 219, 216 → 226)', () => {
    const t = verify('unicast-peers/lan.pcapng').byName.failover.transitions!
    expect(t.map((x) => [x.vrid, x.fromFrame, x.toFrame]).sort()).toEqual([[51, 215, 219], [52, 216, 226]])
  })

  it('auth-pass: VRRPv2 adverts with a PASS password, takeover 213 → 221 / 214 → 227', () => {
    const t = verify('auth-pass/lan.pcapng').byName.failover.transitions!
    expect(t.map((x) => [x.vrid, x.fromFrame, x.toFrame]).sort()).toEqual([[51, 213, 221], [52, 214, 227]])
  })
  // the same capture with one VLAN tag and with two (802.1ad outside 802.1Q): same verdicts, same frames
  it('vlan: the tagged copies of vip6-on-lan give its verdicts and its culprit frames (11, 14)', () => {
    for (const f of ['vlan/vip6-on-lan-1q.pcap', 'vlan/vip6-on-lan-qinq.pcap']) {
      const {r, byName} = verify(f)
      expect(r.inputs[0]!.packets, f).toBe(323)
      expect(find(byName.arp, 'real-server-answers').map((x) => [x.frame, x.mac]), f).toContainEqual([11, RS1])
      expect(find(byName.arp, 'real-server-announces')[0], f).toMatchObject({frame: 14, mac: RS1, ip: VIP6})
      const counts = byName.source.counts as Record<string, unknown>
      const want = verify('vip6-on-lan/lan.pcapng').byName.source.counts as Record<string, unknown>
      for (const k of ['requests', 'pairs', 'perFamily', 'perService', 'unanswered']) expect(counts[k], `${f} ${k}`).toEqual(want[k])
    }
  })

  // (the first tagged copies, made with tcprewrite 4.4.3, had 33:33:… MACs on IPv6 frames: a tcprewrite
  // bug, tshark showed the same; scripts/vlan-tag.mjs now makes them byte-exact)
  it('vlan: the tagged copies give exactly the untagged file\'s arp findings and per-proxy counts', () => {
    const per = (f: string) => (verify(f).byName.source.counts as Record<string, unknown>).perProxy
    for (const f of ['vlan/vip6-on-lan-1q.pcap', 'vlan/vip6-on-lan-qinq.pcap']) expect(per(f), f).toEqual(per('vip6-on-lan/lan.pcapng'))
    const strip = (c: CheckResult) => c.findings.map((x) => [x.kind, x.frame, x.mac, x.ip, x.message.replace(/(vlan|vip6-on-lan)\/(vip6-on-lan-(1q|qinq)\.pcap|lan\.pcapng)/g, 'F')])
    const want = strip(verify('vip6-on-lan/lan.pcapng').byName.arp)
    for (const f of ['vlan/vip6-on-lan-1q.pcap', 'vlan/vip6-on-lan-qinq.pcap']) expect(strip(verify(f).byName.arp), f).toEqual(want)
  })
})
