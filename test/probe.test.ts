// --probe: the frames drcheck crafts (checked by tshark, not by drcheck's own decoders), the
// prober's bookkeeping on scripted answers, and — in the lab, as root, under the lab lock — the
// probe from the router's namespace with no client traffic at all: healthy passes, arp-leak names
// rs1 answering ARP, a proxy without the VIP is unanswered.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PcapWriter} from '../src/capture/pcap-writer.js'
import {newRecord} from '../src/capture/record.js'
import {Prober, type IfaceAddrs} from '../src/capture/probe.js'
import {DEFAULT_OPTIONS, Knowledge} from '../src/checks/context.js'
import type {ArpEvent, NdEvent, TrafficEvent, VrrpEvent} from '../src/decode/events.js'
import type {Report} from '../src/lib/analyze.js'
import {addressKeyOf} from '../src/wire/addr-key.js'
import {arpWhoHas, neighbourSolicitation, solicitedNode, tcpSegment, TCP_RST, TCP_SYN} from '../src/wire/build.js'

const root = join(import.meta.dirname, '..')
const haveTshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0
const ci = process.env.CI === 'true'

function tsharkFields(frames: Buffer[], fields: string[], extra: string[] = []): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'drc-probe-'))
  try {
    const path = join(dir, 'probe.pcap')
    const w = new PcapWriter(path, 1)
    frames.forEach((data, i) => {
      const rec = newRecord(0)
      rec.frame = i + 1; rec.tsSec = 1_800_000_000 + i; rec.buf = data; rec.off = 0; rec.capLen = rec.origLen = data.length
      w.write(rec)
    })
    w.close()
    const r = spawnSync('tshark', ['-r', path, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'icmpv6.checksum_verify:TRUE' , ...extra,
      '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {encoding: 'utf8'})
    if (r.status !== 0) {
      // older/newer tshark without one of the preferences: retry without them
      const r2 = spawnSync('tshark', ['-r', path, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {encoding: 'utf8'})
      return r2.stdout.trim().split('\n').map((l) => l.split('|'))
    }
    return r.stdout.trim().split('\n').map((l) => l.split('|'))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const ME = '02:00:00:00:00:01'
const VIP4 = '198.51.100.10', VIP6 = '2001:db8:1::10'

describe.runIf(haveTshark || ci)('probe frames, decoded by tshark', () => {
  it('ARP who-has is an arping -D probe: sender 0.0.0.0, our MAC, broadcast, target the VIP', () => {
    const [row] = tsharkFields([arpWhoHas(ME, VIP4)], ['eth.dst', 'eth.src', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4', 'frame.len'])
    expect(row).toEqual(['ff:ff:ff:ff:ff:ff', ME, '1', ME, '0.0.0.0', '00:00:00:00:00:00', VIP4, '60'])
  })

  it('neighbour solicitation: to the solicited-node group, hop limit 255, valid checksum, SLLA only with a source', () => {
    const rows = tsharkFields([neighbourSolicitation(ME, 'fe80::1', VIP6), neighbourSolicitation(ME, '::', VIP6)],
      ['eth.dst', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'icmpv6.type', 'icmpv6.nd.ns.target_address', 'icmpv6.opt.linkaddr', 'icmpv6.checksum.status'])
    expect(rows[0]).toEqual(['33:33:ff:00:00:10', 'fe80::1', 'ff02::1:ff00:10', '255', '135', VIP6, ME, '1'])
    expect(rows[1]).toEqual(['33:33:ff:00:00:10', '::', 'ff02::1:ff00:10', '255', '135', VIP6, '', '1'])
    expect(solicitedNode('2001:db8::12:3456')).toEqual({ip: 'ff02::1:ff12:3456', mac: '33:33:ff:12:34:56'})
  })

  it('TCP SYN and RST over IPv4 and IPv6 to the proxy MAC, checksums valid', () => {
    const px = '02:00:00:00:00:21'
    const frames = [
      tcpSegment({srcMac: ME, dstMac: px, srcIp: '198.51.100.1', dstIp: VIP4, sport: 45678, dport: 25, seq: 0xdeadbeef, flags: TCP_SYN}),
      tcpSegment({srcMac: ME, dstMac: px, srcIp: '2001:db8:1::1', dstIp: VIP6, sport: 45679, dport: 587, seq: 12345, flags: TCP_SYN}),
      tcpSegment({srcMac: ME, dstMac: px, srcIp: '198.51.100.1', dstIp: VIP4, sport: 45678, dport: 25, seq: 0xdeadbef0, flags: TCP_RST}),
    ]
    // checksum status 1 = good (tshark verifies with the preferences set in tsharkFields)
    const rows = tsharkFields(frames, ['eth.dst', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.flags', 'tcp.options.mss_val', 'tcp.checksum.status', 'ip.checksum.status'])
    expect(rows[0]).toEqual([px, '198.51.100.1', VIP4, '', '', '45678', '25', String(0xdeadbeef), '0x0002', '1460', '1', '1'])
    expect(rows[1]).toEqual([px, '', '', '2001:db8:1::1', VIP6, '45679', '587', '12345', '0x0002', '1460', '1', ''])
    expect(rows[2]).toEqual([px, '198.51.100.1', VIP4, '', '', '45678', '25', String(0xdeadbef0), '0x0004', '', '1', '1'])
  })
})

// --- the prober on scripted answers -------------------------------------------------------------

const LB1 = '02:00:00:00:00:11', RS1 = '02:00:00:00:00:21', RS2 = '02:00:00:00:00:22'
const addrs: IfaceAddrs = {name: 'eth1', mac: ME, ipv4: '198.51.100.1', ipv6: '2001:db8:1::1', linkLocal: 'fe80::1'}
const T0 = 1_800_000_000

function l2(src: string, dst: string, t: number, frame: number) {
  return {input: 0, frame, tsSec: Math.floor(t), tsNsec: Math.round((t % 1) * 1e9), tsDigits: 6, ethSrc: src, ethDst: dst, vlans: [], pktType: -1}
}
function vrrp(t: number, frame: number): VrrpEvent {
  return {...l2(LB1, '01:00:5e:00:00:12', t, frame), kind: 'vrrp', family: 'ipv4', ipSrc: '198.51.100.2', ipDst: '224.0.0.18', ttl: 255, version: 2, vrid: 51,
    priority: 150, intervalCs: 100, authType: 0, authData: '', addrs: [VIP4], checksumOk: true}
}
function arpReply(mac: string, t: number, frame: number): ArpEvent {
  return {...l2(mac, ME, t, frame), kind: 'arp', op: 2, senderMac: mac, senderIp: VIP4, targetMac: ME, targetIp: '0.0.0.0'}
}
function na(mac: string, t: number, frame: number): NdEvent {
  return {...l2(mac, ME, t, frame), kind: 'nd', type: 136, ipSrc: VIP6, ipDst: 'fe80::1', target: VIP6, lladdr: mac, router: false, solicited: true, override: true}
}
function tcp(mac: string, src: string, sport: number, dport: number, flags: number, t: number, frame: number): TrafficEvent {
  return {...l2(mac, ME, t, frame), kind: 'traffic', family: src.includes(':') ? 'ipv6' : 'ipv4', ipSrc: src, ipDst: src.includes(':') ? '2001:db8:1::1' : '198.51.100.1',
    srcKey: addressKeyOf(src), dstKey: addressKeyOf(src.includes(':') ? '2001:db8:1::1' : '198.51.100.1'),
    proto: 6, sport, dport, tcpFlags: flags, icmpType: -1, icmpCode: -1, quoted: null, payloadLen: 0}
}

function setup(proxyMacs: string[]) {
  const k = new Knowledge({...DEFAULT_OPTIONS, vips: [VIP4], vipsLearnt: false, lbMacs: [], proxyMacs})
  k.addInput('eth1', 'interface')
  let now = T0 + 1
  const clock = {now: () => ({sec: Math.floor(now), nsec: Math.round((now % 1) * 1e9)})}
  const sent: Buffer[] = []
  const p = new Prober(k, ['eth1'], (_i, f) => { sent.push(Buffer.from(f)) }, clock, {ports: [25], windowS: 2}, [addrs])
  k.sawVrrp(vrrp(T0 + 0.5, 1))
  return {k, p, sent, advance: (s: number) => { now += s }, at: () => now}
}

function report(verdicts: {arp: string, source: string}): Report {
  return {verdict: 'inconclusive', inputs: [], vips: [VIP4], vipsLearnt: false, notes: [], checks: [
    {name: 'source', verdict: verdicts.source as 'pass', summary: 'no request', findings: [], missing: 'no traffic'},
    {name: 'arp', verdict: verdicts.arp as 'pass', summary: 'ok', findings: []},
  ]}
}

describe('Prober', () => {
  it('counts every responder to its ARP probe within the window; two responders fail, naming both', () => {
    const {p, sent, at} = setup([RS1])
    p.sendNeighbourProbes([VIP4])
    expect(sent).toHaveLength(1)
    p.onEvent(arpReply(LB1, at() + 0.001, 2))
    p.onEvent(arpReply(RS1, at() + 0.002, 3))
    p.onEvent(arpReply(RS2, at() + 2.5, 4)) // after the window: not counted
    const r = report({arp: 'fail', source: 'inconclusive'})
    p.judge(r)
    expect(r.probe!.neighbour[0]).toMatchObject({vip: VIP4, kind: 'arp', responders: [LB1, RS1]})
    const f = r.checks[1]!.findings.find((x) => x.kind === 'probe-responders')!
    expect(f.severity).toBe('fail')
    expect(f.message).toContain(`${LB1} (active LB)`)
    expect(f.message).toContain(`${RS1} (proxy)`)
  })

  it('one responder, the active LB, is an info line; nobody answering is probe-unanswered', () => {
    const a = setup([])
    a.p.sendNeighbourProbes([VIP4])
    a.p.onEvent(arpReply(LB1, a.at() + 0.001, 2))
    const r1 = report({arp: 'pass', source: 'inconclusive'})
    a.p.judge(r1)
    expect(r1.checks[1]!.verdict).toBe('pass')
    expect(r1.checks[1]!.findings.map((f) => [f.kind, f.severity])).toEqual([['probe-responders', 'info']])
    const b = setup([])
    b.p.sendNeighbourProbes([VIP4])
    const r2 = report({arp: 'inconclusive', source: 'inconclusive'})
    b.p.judge(r2)
    expect(r2.checks[1]!.verdict).toBe('fail')
    expect(r2.checks[1]!.findings[0]).toMatchObject({kind: 'probe-unanswered', severity: 'fail', ip: VIP4, interface: 'eth1'})
  })

  it('an NA for the VIP6 sent back to us counts as a responder', () => {
    const {p, at} = setup([])
    p.sendNeighbourProbes([VIP6])
    p.onEvent(na(LB1, at() + 0.01, 2))
    const r = report({arp: 'pass', source: 'inconclusive'})
    p.judge(r)
    expect(r.probe!.neighbour[0]).toMatchObject({kind: 'ns', responders: [LB1]})
  })

  it('DR path probe: SYN-ACK from the VIP passes and is reset; silence is probe-unanswered; an RST from the VIP is reset', () => {
    const {p, sent, at} = setup([RS1, RS2, '02:00:00:00:00:23'])
    p.sendSynProbes([VIP4])
    expect(sent).toHaveLength(3)
    const probes = p.summary().syn
    expect(probes.map((s) => s.mac)).toEqual([RS1, RS2, '02:00:00:00:00:23'])
    p.onEvent(tcp(RS1, VIP4, 25, probes[0]!.sport, 0x12, at() + 0.003, 5))
    p.onEvent(tcp(RS2, VIP4, 25, probes[1]!.sport + 1, 0x12, at() + 0.003, 6)) // another port: not ours
    p.onEvent(tcp('02:00:00:00:00:23', VIP4, 25, probes[2]!.sport, 0x14, at() + 0.004, 7))
    expect(sent).toHaveLength(4) // the RST after the SYN-ACK
    const [rst] = tsharkLess(sent[3]!)
    expect(rst).toEqual({dstMac: RS1, flags: TCP_RST})
    const r = report({arp: 'pass', source: 'inconclusive'})
    p.judge(r)
    const src = r.checks[0]!
    expect(src.verdict).toBe('fail')
    expect(src.findings.map((f) => [f.kind, f.mac])).toEqual([['probe-answered', RS1], ['probe-unanswered', RS2], ['reset', '02:00:00:00:00:23']])
    expect(r.probe!.syn.map((s) => s.outcome)).toEqual(['syn-ack', 'unanswered', 'reset'])
  })

  it('a SYN-ACK from another address is wrong-source; every proxy answering turns "no traffic" into a pass', () => {
    const a = setup([RS1])
    a.p.sendSynProbes([VIP4])
    a.p.onEvent(tcp(RS1, '198.51.100.21', 25, a.p.summary().syn[0]!.sport, 0x12, a.at() + 0.003, 5))
    const r1 = report({arp: 'pass', source: 'inconclusive'})
    a.p.judge(r1)
    expect(r1.checks[0]!.findings[0]).toMatchObject({kind: 'wrong-source', ip: '198.51.100.21', mac: RS1})
    const b = setup([RS1])
    b.p.sendSynProbes([VIP4])
    b.p.onEvent(tcp(RS1, VIP4, 25, b.p.summary().syn[0]!.sport, 0x12, b.at() + 0.003, 5))
    const r2 = report({arp: 'pass', source: 'inconclusive'})
    b.p.judge(r2)
    expect(r2.checks[0]!.verdict).toBe('pass')
    expect(r2.verdict).toBe('pass')
  })

  it("keeps the probe's own connection (the answer, the local kernel's RST) from the source check, nothing else", () => {
    const {p, at} = setup([RS1])
    p.sendSynProbes([VIP4])
    const sport = p.summary().syn[0]!.sport
    expect(p.onEvent(tcp(RS1, VIP4, 25, sport, 0x12, at() + 0.003, 5))).toBe(true)
    const kernelRst: TrafficEvent = {...tcp(ME, '198.51.100.1', sport, 25, 0x04, at() + 0.004, 6), ipDst: VIP4, ethDst: LB1}
    expect(p.onEvent(kernelRst)).toBe(true)
    expect(p.onEvent(tcp(RS1, VIP4, 25, sport + 1, 0x12, at() + 0.005, 7))).toBe(false)
    expect(p.onEvent(arpReply(LB1, at() + 0.001, 8))).toBe(false)
  })

  it('probes the ARP responders that are not LBs when no proxy is known', () => {
    const {p, sent, at} = setup([])
    p.sendNeighbourProbes([VIP4])
    p.onEvent(arpReply(LB1, at() + 0.001, 2))
    p.onEvent(arpReply(RS1, at() + 0.002, 3))
    p.sendSynProbes([VIP4])
    expect(sent).toHaveLength(2)
    expect(p.summary().syn.map((s) => s.mac)).toEqual([RS1])
  })
})

/** Destination MAC and TCP flags of an IPv4 frame we built (offsets, not drcheck's decoder). */
function tsharkLess(f: Buffer) {
  return [{dstMac: [...f.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'), flags: f[14 + 20 + 13]}]
}

// --- in the lab ---------------------------------------------------------------------------------

const missing: string[] = []
if (process.getuid?.() !== 0) missing.push('root')
for (const tool of ['keepalived', 'nft', 'ip', 'flock']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool)
const ready = missing.length === 0
if (!ready && !ci) console.warn(`probe lab tests skipped: missing ${missing.join(', ')} (run as root after scripts/setup-system.sh)`)

/** Under the lab lock: up SCENARIO, optional setup in the lab, then verify --probe in the router namespace (no client traffic), down. */
function probeInLab(scenario: string, setupCmds: string[][], extra: string[] = []) {
  const lab = join(root, 'scripts/lab.sh')
  const script = [
    'set -u',
    `bash ${lab} up ${scenario} >/dev/null 2>&1 || { echo "lab up failed" >&2; bash ${lab} down >/dev/null 2>&1; exit 97; }`,
    ...setupCmds.map((c) => `bash ${lab} exec ${c.map((x) => `'${x}'`).join(' ')}`),
    'sleep 2',
    `bash ${lab} exec router ${process.execPath} ${join(root, 'bin/run.js')} verify -i eth1 --probe --json ${extra.join(' ')}`,
    'rc=$?',
    `bash ${lab} down >/dev/null 2>&1`,
    'exit $rc',
  ].join('\n')
  const r = spawnSync('flock', ['/tmp/drc-lab.lock', 'bash', '-c', script], {encoding: 'utf8', timeout: 600_000})
  const start = r.stdout.indexOf('{\n')
  const doc = start >= 0 ? JSON.parse(r.stdout.slice(start, r.stdout.lastIndexOf('}') + 1)) : null
  return {status: r.status, doc, out: r.stdout + r.stderr}
}

const byName = (doc: {checks: {name: string}[]}) => Object.fromEntries(doc.checks.map((c) => [c.name, c])) as Record<string, {verdict: string, findings: {kind: string, mac?: string, ip?: string, severity: string}[]}>
const PROXIES = ['--proxy-mac', RS1, '--proxy-mac', RS2]

describe.runIf(ready || ci)('--probe in the lab (router namespace, no client traffic)', {timeout: 700_000}, () => {
  it('prerequisites are present', () => {
    expect(missing, `missing in CI: ${missing.join(', ')}`).toEqual([])
  })

  it('healthy: one responder per VIP (lb1), every proxy answers the SYN from the VIP: pass', () => {
    const {status, doc, out} = probeInLab('healthy', [], PROXIES)
    expect(doc, out).not.toBeNull()
    const n = doc.probe.neighbour as {kind: string, vip: string, responders: string[]}[]
    expect(n.map((x) => [x.kind, x.vip, x.responders])).toEqual([['arp', VIP4, [LB1]], ['ns', VIP6, [LB1]]])
    const syn = doc.probe.syn as {mac: string, vip: string, outcome: string, answeredBy: string}[]
    expect(syn).toHaveLength(4)
    for (const s of syn) expect(s, out).toMatchObject({outcome: 'syn-ack', answeredBy: s.vip})
    const c = byName(doc)
    expect(c.arp!.verdict, out).toBe('pass')
    expect(c.source!.verdict, out).toBe('pass')
    expect(status, out).toBe(0)
  })

  it('arp-leak: rs1 answers the ARP probe for the VIP (real-server-answers), found without client traffic', () => {
    const {status, doc, out} = probeInLab('arp-leak', [], PROXIES)
    expect(doc, out).not.toBeNull()
    const arp4 = (doc.probe.neighbour as {kind: string, responders: string[]}[]).find((x) => x.kind === 'arp')!
    expect([...arp4.responders].sort()).toEqual([LB1, RS1])
    const c = byName(doc)
    expect(c.arp!.verdict, out).toBe('fail')
    expect(c.arp!.findings.find((f) => f.kind === 'real-server-answers'), out).toMatchObject({mac: RS1, ip: VIP4})
    expect(status).toBe(1)
  })

  it('arp-leak without --proxy-mac: rs1 is probed because it answered ARP, and named', () => {
    const {doc, out} = probeInLab('arp-leak', [])
    expect(doc, out).not.toBeNull()
    const syn = doc.probe.syn as {mac: string, outcome: string}[]
    expect(syn.filter((s) => s.mac === RS1).map((s) => s.outcome), out).toContain('syn-ack')
    expect(byName(doc).arp!.findings.find((f) => f.kind === 'real-server-answers'), out).toMatchObject({mac: RS1, ip: VIP4})
  })

  it('proxy without the VIP: rs2 (VIP removed from lo) leaves the SYN unanswered, over IPv4 and IPv6', () => {
    const {status, doc, out} = probeInLab('healthy', [['rs2', 'ip', 'addr', 'del', `${VIP4}/32`, 'dev', 'lo'], ['rs2', 'ip', 'addr', 'del', `${VIP6}/128`, 'dev', 'lo']], PROXIES)
    expect(doc, out).not.toBeNull()
    const syn = doc.probe.syn as {mac: string, vip: string, outcome: string}[]
    expect(syn.filter((s) => s.mac === RS2).map((s) => [s.vip, s.outcome]).sort()).toEqual([[VIP6, 'unanswered'], [VIP4, 'unanswered']].sort())
    expect(syn.filter((s) => s.mac === RS1).map((s) => s.outcome)).toEqual(['syn-ack', 'syn-ack'])
    const src = byName(doc).source!
    expect(src.verdict, out).toBe('fail')
    expect(src.findings.filter((f) => f.kind === 'probe-unanswered').map((f) => [f.mac, f.ip]).sort()).toEqual([[RS2, VIP4], [RS2, VIP6]].sort())
    expect(status).toBe(1)
  })
})
