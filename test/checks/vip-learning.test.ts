// Without --vip, replay learns the VIPs from the start of each file and checks them against every
// advert of the full pass, running it again when the full pass named another VIP. The result must
// be exactly that of learning from every advert first (the old two passes): here every lab fixture
// is replayed with prefixes too short to name the VIPs, and the reports compared with a run whose
// "prefix" is the whole file.
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {PcapWriter} from '../../src/capture/pcap-writer.js'
import {concat, epb, idb, shb, tmpFile} from '../capture/builders.js'
import {readCapture} from '../helpers/mini-pcap.js'
import {DEFAULT_OPTIONS} from '../../src/checks/context.js'
import {learnVipsFromFiles, replayFiles, VIP_PREFIX} from '../../src/lib/run.js'

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'lab')
const files = readdirSync(dir, {withFileTypes: true}).filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(dir, d.name, f)))
const tmp = mkdtempSync(join(tmpdir(), 'drc-vips-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
const WHOLE = {seconds: Infinity, frames: Infinity}
const run = (paths: string[], prefix: {seconds: number, frames: number}) =>
  replayFiles(paths.map((p, i) => ({path: p, label: `p${i}`})), {...DEFAULT_OPTIONS, vips: [], vipsLearnt: true, lbMacs: [], proxyMacs: []},
    ['source', 'arp', 'failover'], prefix)

describe('VIPs learnt from the start of the files, checked against the full pass', () => {
  it('a prefix reads only the start: frames, then capture seconds', () => {
    const f = join(dir, 'failover-hard', 'lan.pcapng')
    // tshark: frame 1 is VRID 51's advert (198.51.100.10), frame 2 VRID 52's (2001:db8:1::10)
    expect(learnVipsFromFiles([f], {seconds: Infinity, frames: 0})).toEqual([])
    expect(learnVipsFromFiles([f], {seconds: Infinity, frames: 1})).toEqual(['198.51.100.10'])
    expect(learnVipsFromFiles([f], WHOLE)).toEqual(['198.51.100.10', '2001:db8:1::10'])
    expect(learnVipsFromFiles([f], VIP_PREFIX)).toEqual(['198.51.100.10', '2001:db8:1::10'])
  })

  it('a prefix of seconds also holds when the timestamps are negative (pcapng if_tsoffset)', () => {
    // VRID 51's advert at t = 0 and VRID 52's at t = 5 s of an interface whose clock is offset by
    // -200,000,000 s (1963): a prefix of 2 s reads only the first
    const [a4, a6] = readCapture(join(dir, 'failover-hard', 'lan.pcapng')).slice(0, 2).map((r) => r.buf.slice(r.off, r.off + r.capLen))
    const f = tmpFile(concat(shb(), idb(true, 1, 262144, {tsoffset: -200_000_000n}), epb(true, 0, 0n, a4!), epb(true, 0, 5_000_000n, a6!)), 'negative.pcapng')
    expect(learnVipsFromFiles([f], WHOLE)).toEqual(['198.51.100.10', '2001:db8:1::10'])
    expect(learnVipsFromFiles([f], {seconds: 2, frames: Infinity})).toEqual(['198.51.100.10'])
  })

  it.each([0, 1, 40])('every lab fixture, prefix of %i frame(s): the same report as learning from the whole file', (frames) => {
    let rerun = 0
    for (const f of files) {
      if (learnVipsFromFiles([f], {seconds: Infinity, frames}).length < learnVipsFromFiles([f], WHOLE).length) rerun++
      expect(run([f], {seconds: Infinity, frames}), f).toEqual(run([f], WHOLE))
    }
    // the full pass had to add VIPs in these (the second run was needed)
    if (frames === 0) expect(rerun).toBeGreaterThanOrEqual(20)
  })

  it('several capture points, a prefix of 1 frame or of the first second: the same report', () => {
    const pts = ['lan.pcapng', 'lb1.pcap', 'rs1-ns.pcap'].map((p) => join(dir, 'failover-hard', p))
    const whole = run(pts, WHOLE)
    expect(whole.vips).toEqual(['198.51.100.10', '2001:db8:1::10'])
    expect(run(pts, {seconds: Infinity, frames: 1})).toEqual(whole)
    expect(run(pts, {seconds: 0, frames: Infinity})).toEqual(whole)
  })

  it('a capture that starts between adverts: traffic to the VIPs before their first advert is judged as with --vip', () => {
    // failover-hard/lan.pcapng without its frames 1-2 (tshark: the two VRRP adverts); frames 3-48
    // are ARP, NS and pings for the VIPs, the next adverts are frames 49/50
    const cut = join(tmp, 'from-frame-3.pcap')
    const w = new PcapWriter(cut, 1)
    readCaptureFile(join(dir, 'failover-hard', 'lan.pcapng'), 0, (rec) => { if (rec.frame > 2) w.write(rec) })
    w.close()
    expect(learnVipsFromFiles([cut], {seconds: Infinity, frames: 40})).toEqual([])
    const whole = run([cut], WHOLE)
    expect(whole.vips).toEqual(['198.51.100.10', '2001:db8:1::10'])
    expect(run([cut], {seconds: Infinity, frames: 40})).toEqual(whole)
    expect(run([cut], {seconds: 0, frames: Infinity})).toEqual(whole)
  })
})
