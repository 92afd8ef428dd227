// Several capture points in one verdict, on the lab's healthy recording (lan, lb1 and rs1 captured at
// the same time). A crafted copy of rs1-ns.pcap without one UDP reply and without one echo request
// (and its reply) must give `unanswered` and `lost-in-transit` naming the frames at both points.
// Every expected frame number comes from tshark on the files, never from drcheck.
import {spawnSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'run.js')
const H = join(root, 'fixtures', 'lab', 'healthy')
const RS1 = '02:00:00:00:00:21', LB1 = '02:00:00:00:00:11'
const have = (cmd: string) => spawnSync(cmd, ['-v'], {encoding: 'utf8'}).status === 0
const tools = have('tshark') && have('editcap')
if (!tools && process.env.CI) throw new Error('tshark/editcap missing (CI must have them)')

function drcheck(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000, cwd: root})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** tshark fields of the frames matching a display filter, one array per frame. */
function tshark(file: string, filter: string, ...fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(r.stderr)
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('\t'))
}

interface F {kind: string, file?: string, frame?: number, relatedFrame?: number, relatedFile?: string, message: string, host?: string}
interface Doc {verdict: string, inputs: {file: string, clockOffsetMs?: number | null, sharedFrames?: number}[], checks: {name: string, verdict: string, findings: F[], counts?: {crossPoint?: {checked: number}}}[]}

describe.skipIf(!tools)('three capture points (lan, lb1, rs1) in one verdict', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'drcheck-mp-'))
  const crafted = join(tmp, 'rs1-crafted.pcap')
  const shifted = join(tmp, 'rs1-shifted.pcap')
  const exp = {udpAtRs1: 0, udpAtLb1: 0, echoAtLb1: 0, echoArrivedAtLb1: 0}

  beforeAll(() => {
    const rs1 = join(H, 'rs1-ns.pcap'), lb1 = join(H, 'lb1.pcap')
    // an IPv4 UDP query forwarded by lb1 to rs1, and rs1's reply to it
    const [qFrame, qId, qPort] = tshark(rs1, `ip.dst==198.51.100.10 && udp.dstport==53 && eth.src==${LB1}`, 'frame.number', 'ip.id', 'udp.srcport')[0]
    const replies = tshark(rs1, `udp.srcport==53 && udp.dstport==${qPort} && eth.src==${RS1}`, 'frame.number').map((r) => Number(r[0]))
    // an IPv4 echo request forwarded to rs1 (a later one), and its reply
    const echoes = tshark(rs1, `ip.dst==198.51.100.10 && icmp.type==8 && eth.src==${LB1}`, 'frame.number', 'ip.id', 'icmp.ident', 'icmp.seq')
    const [eFrame, eId, eIdent, eSeq] = echoes[2]
    const eReplies = tshark(rs1, `icmp.type==0 && icmp.ident==${eIdent} && icmp.seq==${eSeq}`, 'frame.number').map((r) => Number(r[0]))
    const drop = [...replies, Number(eFrame), ...eReplies].sort((a, b) => a - b)
    expect(drop.length).toBeGreaterThanOrEqual(3)
    const ed = spawnSync('editcap', [rs1, crafted, ...drop.map(String)], {encoding: 'utf8'})
    expect(ed.status, ed.stderr).toBe(0)
    exp.udpAtRs1 = Number(qFrame) - drop.filter((d) => d < Number(qFrame)).length
    // the same frames at lb1: leaving for rs1's MAC, and arriving for lb1's
    exp.udpAtLb1 = Number(tshark(lb1, `ip.id==${qId} && udp.srcport==${qPort} && eth.dst==${RS1}`, 'frame.number')[0][0])
    exp.echoAtLb1 = Number(tshark(lb1, `ip.id==${eId} && icmp.type==8 && eth.dst==${RS1}`, 'frame.number')[0][0])
    exp.echoArrivedAtLb1 = Number(tshark(lb1, `ip.id==${eId} && icmp.type==8 && eth.dst==${LB1}`, 'frame.number')[0][0])
    // rs1's clock 2.5 s ahead
    const sh = spawnSync('editcap', ['-t', '2.5', rs1, shifted], {encoding: 'utf8'})
    expect(sh.status, sh.stderr).toBe(0)
  })

  const run = (rs1: string, ...extra: string[]) => {
    const r = drcheck('verify', '-r', `lan=${join(H, 'lan.pcapng')}`, '-r', `lb1=${join(H, 'lb1.pcap')}`, '-r', `rs1=${rs1}`, '--json', ...extra)
    return {status: r.status, doc: JSON.parse(r.stdout) as Doc, stderr: r.stderr}
  }

  it('healthy: passes, every point aligned (same kernel clock: |offset| < 1 ms), forwarded requests checked across points', () => {
    const {status, doc} = run(join(H, 'rs1-ns.pcap'))
    expect(status).toBe(0)
    expect(doc.inputs.map((i) => i.file)).toEqual(['lan', 'lb1', 'rs1'])
    expect(doc.inputs[0].clockOffsetMs).toBe(0)
    for (const i of doc.inputs.slice(1)) {
      expect(Math.abs(i.clockOffsetMs!)).toBeLessThan(1)
      expect(i.sharedFrames).toBeGreaterThan(10)
    }
    const source = doc.checks.find((c) => c.name === 'source')!
    expect(source.counts?.crossPoint?.checked).toBeGreaterThan(50)
    expect(source.findings.filter((f) => f.kind === 'lost-in-transit' || f.kind === 'unanswered')).toEqual([])
    // the master is seen at every point: named once in the summary, once per point in the counts
    const failover = doc.checks.find((c) => c.name === 'failover')! as unknown as {summary: string, counts: {masters: {vrid: number, file?: string}[]}}
    expect(failover.summary.match(/VRID 51\/ipv4/g)).toHaveLength(1)
    const seenAt = failover.counts.masters.filter((m) => m.vrid === 51).map((m) => m.file)
    // lan and lb1 carry the adverts (rs1 too, on the same hub LAN): each point once
    expect(seenAt).toEqual(expect.arrayContaining(['lan', 'lb1']))
    expect(new Set(seenAt).size).toBe(seenAt.length)
  })

  it('a point whose clock runs 2.5 s ahead is aligned (offset reported) and nothing is lost', () => {
    const {status, doc} = run(shifted)
    expect(status).toBe(0)
    expect(doc.inputs[2].clockOffsetMs).toBeGreaterThan(2499)
    expect(doc.inputs[2].clockOffsetMs).toBeLessThan(2501)
  })

  it('forwarded and never answered → unanswered with rs1\'s and lb1\'s frame; never arrived → lost-in-transit', () => {
    const {status, doc} = run(crafted, '--inventory', join(root, 'lab', 'inventory.yaml'))
    expect(status).toBe(1)
    const source = doc.checks.find((c) => c.name === 'source')!
    expect(source.verdict).toBe('fail')
    const un = source.findings.filter((f) => f.kind === 'unanswered' && f.relatedFile === 'lb1')
    expect(un.map((f) => [f.file, f.frame, f.relatedFrame])).toEqual([['rs1', exp.udpAtRs1, exp.udpAtLb1]])
    expect(un[0].message).toContain(`frame ${exp.udpAtLb1} of lb1`)
    expect(un[0].message).toContain(`frame ${exp.udpAtRs1} of rs1`)
    expect(un[0].message).toContain(`rs1 (${RS1})`)
    expect(un[0].host).toBe('rs1')
    const lost = source.findings.filter((f) => f.kind === 'lost-in-transit')
    expect(lost.map((f) => [f.file, f.frame, f.relatedFrame])).toEqual([['lb1', exp.echoAtLb1, exp.echoArrivedAtLb1]])
    expect(lost[0].message).toMatch(/lb1 \(02:00:00:00:00:11\).*rs1 \(02:00:00:00:00:21\)/)
  })

  it('evidence: each input\'s filter holds only its own frames (lb1\'s related frame goes to lb1, not rs1)', () => {
    const {doc} = run(crafted)
    const ev = (doc as unknown as {evidence: {file: string, frames: number[]}[]}).evidence
    const rs1 = ev.find((e) => e.file === 'rs1')!, lb1 = ev.find((e) => e.file === 'lb1')!
    expect(rs1.frames).toContain(exp.udpAtRs1)
    expect(rs1.frames).not.toContain(exp.udpAtLb1)
    expect(lb1.frames).toEqual(expect.arrayContaining([exp.udpAtLb1, exp.echoAtLb1]))
    // every frame named exists in its own file (rs1-crafted is shorter than lb1)
    const rs1Count = Number(spawnSync('capinfos', ['-c', '-M', crafted], {encoding: 'utf8'}).stdout.match(/Number of packets:\s+(\d+)/)![1])
    expect(Math.max(...rs1.frames)).toBeLessThanOrEqual(rs1Count)
  })

  it('without an inventory the points are recognised by their own MAC, same findings', () => {
    const {doc} = run(crafted)
    const source = doc.checks.find((c) => c.name === 'source')!
    expect(source.findings.filter((f) => f.kind === 'unanswered' && f.relatedFile === 'lb1').map((f) => f.frame)).toEqual([exp.udpAtRs1])
    expect(source.findings.filter((f) => f.kind === 'lost-in-transit').map((f) => f.frame)).toEqual([exp.echoAtLb1])
  })

  it('labels: -r NAME=FILE names the input; the same name twice is an error (exit 3, one line)', () => {
    const r = drcheck('verify', '-r', `x=${join(H, 'lan.pcapng')}`, '-r', `x=${join(H, 'lb1.pcap')}`)
    expect(r.status).toBe(3)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/-r x: two inputs with the same name/)
  })
})
