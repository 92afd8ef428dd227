// Link types and containers the public captures do not have (raw IPv4 228, raw IPv6 229, raw 101
// and 12, LOOP 108 in network order, NULL 0 in both host byte orders, pcap big-endian nanosecond),
// made here by re-wrapping the IP packets of a lab capture, and decoded by tshark at test time: the
// expected values come from tshark, frame by frame.

import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {frameBytes} from '../../src/capture/record.js'
import {dissectFile} from '../helpers/dissect-file.js'

const root = join(import.meta.dirname, '..', '..')
const tmp = mkdtempSync(join(tmpdir(), 'drcheck-lt-'))
const haveTshark = spawnSync('tshark', ['--version']).status === 0

// IPv4 and IPv6 packets (Ethernet header and any VLAN tags removed) of two lab captures
const packets: {ts: [number, number], ip: Buffer}[] = []
for (const f of ['fixtures/lab/failover-hard/lb1.pcap', 'fixtures/lab/vip6-on-lan/lan.pcapng']) {
  readCaptureFile(join(root, f), 0, (r) => {
    const d = Buffer.from(frameBytes(r))
    let off = 12
    while (d.length >= off + 2 && (d.readUInt16BE(off) === 0x8100 || d.readUInt16BE(off) === 0x88a8)) off += 4
    const type = d.length >= off + 2 ? d.readUInt16BE(off) : 0
    if (type === 0x0800 || type === 0x86dd) packets.push({ts: [r.tsSec, r.tsNsec], ip: d.subarray(off + 2)})
  })
}
const v4 = packets.filter((p) => p.ip[0]! >> 4 === 4)
const v6 = packets.filter((p) => p.ip[0]! >> 4 === 6)

function pcap(linkType: number, frames: {ts: [number, number], data: Buffer}[], {be = false, nanos = false} = {}): Buffer {
  const w32 = (b: Buffer, v: number, o: number) => (be ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o))
  const h = Buffer.alloc(24)
  w32(h, nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0)
  be ? (h.writeUInt16BE(2, 4), h.writeUInt16BE(4, 6)) : (h.writeUInt16LE(2, 4), h.writeUInt16LE(4, 6))
  w32(h, 262144, 16); w32(h, linkType, 20)
  const parts = [h]
  for (const f of frames) {
    const r = Buffer.alloc(16)
    w32(r, f.ts[0], 0); w32(r, nanos ? f.ts[1] : Math.floor(f.ts[1] / 1000), 4); w32(r, f.data.length, 8); w32(r, f.data.length, 12)
    parts.push(r, f.data)
  }
  return Buffer.concat(parts)
}
const af = (v: number, order: 'le' | 'be') => { const b = Buffer.alloc(4); order === 'le' ? b.writeUInt32LE(v) : b.writeUInt32BE(v); return b }
const afOf = (ip: Buffer) => (ip[0]! >> 4 === 4 ? 2 : 24)

const CASES: [string, () => Buffer][] = [
  ['raw IPv4, LINKTYPE_IPV4 228', () => pcap(228, v4.map((p) => ({ts: p.ts, data: p.ip})))],
  ['raw IPv6, LINKTYPE_IPV6 229', () => pcap(229, v6.map((p) => ({ts: p.ts, data: p.ip})))],
  ['raw IP both families, LINKTYPE_RAW 101, big-endian ns pcap', () => pcap(101, packets.map((p) => ({ts: p.ts, data: p.ip})), {be: true, nanos: true})],
  ['raw IP, LINKTYPE 12 (OpenBSD DLT_RAW)', () => pcap(12, packets.map((p) => ({ts: p.ts, data: p.ip})))],
  ['LOOP 108, family in network order', () => pcap(108, packets.map((p) => ({ts: p.ts, data: Buffer.concat([af(afOf(p.ip), 'be'), p.ip])})))],
  ['NULL 0, family little-endian (host order)', () => pcap(0, packets.map((p) => ({ts: p.ts, data: Buffer.concat([af(afOf(p.ip), 'le'), p.ip])})))],
  ['NULL 0, family big-endian (host order), big-endian pcap', () => pcap(0, packets.map((p) => ({ts: p.ts, data: Buffer.concat([af(afOf(p.ip), 'be'), p.ip])})), {be: true})],
]

const FIELDS = ['frame.number', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'vrrp.virt_rtr_id', 'icmpv6.type', 'icmpv6.nd.na.target_address', 'frame.time_epoch']

describe.skipIf(!haveTshark)('link types made from lab packets, against tshark', () => {
  it('has IPv4 and IPv6 packets to work with', () => {
    expect(v4.length).toBeGreaterThan(100)
    expect(v6.length).toBeGreaterThan(50)
  })
  for (const [name, build] of CASES) {
    it(name, () => {
      const file = join(tmp, `${name.replace(/\W+/g, '-')}.pcap`)
      writeFileSync(file, build())
      const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])], {encoding: 'utf8'})
      expect(t.status).toBe(0)
      const rows = new Map(t.stdout.trim().split('\n').map((l) => l.split('\t')).map((c) => [Number(c[0]), Object.fromEntries(FIELDS.map((f, i) => [f, c[i] ?? '']))]))
      const run = dissectFile(file)
      expect(run.records.length).toBe(rows.size)
      expect(run.stats.malformed).toBe(0)
      expect(run.stats.unsupportedLink.size).toBe(0)
      // every frame's time as tshark shows it
      for (const rec of run.records) {
        const row = rows.get(rec.frame)!
        expect(`${rec.tsSec}.${String(rec.tsNsec).padStart(9, '0')}`, `frame ${rec.frame}`).toBe(row['frame.time_epoch'])
      }
      // every event: the addresses and ports tshark decodes in that frame
      const framesWithEvents = new Set<number>()
      for (const ev of run.events) {
        const row = rows.get(ev.frame)!
        const where = `${name} frame ${ev.frame} (${ev.kind})`
        framesWithEvents.add(ev.frame)
        if (ev.kind === 'arp') throw new Error(`${where}: no ARP in an IP-only link type`)
        const v6 = row['ipv6.src'] !== ''
        expect(ev.ipSrc, where).toBe(row[v6 ? 'ipv6.src' : 'ip.src'])
        expect(ev.ipDst, where).toBe(row[v6 ? 'ipv6.dst' : 'ip.dst'])
        if (ev.kind === 'traffic' && ev.proto === 6) expect([ev.sport, ev.dport], where).toEqual([Number(row['tcp.srcport']), Number(row['tcp.dstport'])])
        if (ev.kind === 'traffic' && ev.proto === 17) expect([ev.sport, ev.dport], where).toEqual([Number(row['udp.srcport']), Number(row['udp.dstport'])])
        if (ev.kind === 'vrrp') expect(ev.vrid, where).toBe(Number(row['vrrp.virt_rtr_id']))
        if (ev.kind === 'nd') expect(ev.target, where).toBe(row['icmpv6.nd.na.target_address'] || ev.target)
      }
      // and no frame that tshark decodes as TCP, UDP or VRRP is missed
      for (const [n, row] of rows) {
        if (row['tcp.srcport'] || row['udp.srcport'] || row['vrrp.virt_rtr_id']) expect(framesWithEvents.has(n), `${name} frame ${n}`).toBe(true)
      }
    })
  }
})
