// The Dissector against tshark's own decode (fixtures/public/tshark/*.tsv, written by
// scripts/tshark-decode-refs.sh), frame by frame. Expected values come only from tshark.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {DecodedEvent} from '../../src/decode/events.js'
import {dissectFile} from '../helpers/dissect-file.js'
import {all, allCaptures, first, num, type Row, tsharkRows as refRows} from '../helpers/tshark-ref.js'

// Every public capture and every lab capture (fixtures/lab/<scenario>/*), each against its own
// references; a capture without references fails (run scripts/tshark-decode-refs.sh).
const CAPTURES = allCaptures()

/** Frame numbers of packet records in the frame-level reference (scripts/tshark-refs.sh). */
function frameRefs(refDir: string, capture: string): number[] {
  const f = join(refDir, `${capture.replace(/^.*\//, '')}.tsv`)
  if (!existsSync(f)) return []
  const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l !== '')
  return lines.slice(2).map((l) => l.split('\t')).filter((c) => c[5] !== '').map((c) => Number(c[0]))
}

/** VRRP rows drcheck rejects on purpose (see the justification in each case). */
function vrrpUsable(capture: string, r: Row): boolean {
  // tcpdump-vrrp-print-oobr-2: every frame is an IPv4 fragment (MF=1) cut by the snaplen; the advert
  // continues in fragments that are not there, so its address list and checksum cannot be trusted.
  // tshark (without reassembly) decodes the fragment's bytes anyway, frame 10 even as "version 15".
  if (capture === 'tcpdump-vrrp-print-oobr-2.pcap') return false
  // tcpdump-vrrp-print-oobr-frelay: link type 107 (Frame Relay), which drcheck does not decode (the
  // report counts and names such frames); tshark decodes the VRRP inside.
  if (capture === 'tcpdump-vrrp-print-oobr-frelay.pcap') return false
  // A VRRP advert quoted inside an ICMP/ICMPv6 error (two IP headers: unicast-peers, where the peer
  // answers a unicast advert with "protocol unreachable"): tshark decodes the quote, drcheck rightly
  // does not take it for an advert.
  if (all(r, 'ip.src').length > 1 || all(r, 'ipv6.src').length > 1) return false
  return (num(r, 'vrrp.version') === 2 || num(r, 'vrrp.version') === 3) && num(r, 'vrrp.type') === 1
}

/** The ethertype that carried the frame's payload (after any VLAN tags), from the l2 reference. */
function etherType(l2: Row): number {
  const inner = all(l2, 'vlan.etype')
  const v = first(l2, 'sll.etype') || inner[inner.length - 1] || first(l2, 'eth.type')
  return Number(v)
}

/** ARP rows that are Ethernet/IPv4 ARP (the only ARP drcheck uses). RARP (ethertype 0x8035,
 *  zeek-linux-dlt-sll2 frame 6), which tshark shows as ARP too, claims nothing and is skipped. */
function arpUsable(r: Row, l2: Row): boolean {
  return etherType(l2) === 0x0806 && num(r, 'arp.hw.type') === 1 && num(r, 'arp.proto.type') === 0x0800 &&
    num(r, 'arp.hw.size') === 6 && num(r, 'arp.proto.size') === 4
}

it('covers all 40 public captures and the lab captures', () => {
  expect(CAPTURES.filter((c) => !c.name.startsWith('lab/')).length).toBe(40)
  expect(CAPTURES.filter((c) => c.name.startsWith('lab/')).length).toBeGreaterThanOrEqual(22)
})

for (const {name: capture, path, refDir} of CAPTURES) {
  describe(capture, () => {
    const tsharkRows = (_c: string, what: string): Row[] => refRows(capture, what, refDir)
    const run = dissectFile(path)
    // tshark lists pcapng custom blocks as records of their own (empty encapsulation in the
    // frame-level reference); they are not packets, but take a frame number in both.
    const packetFrames = new Set(frameRefs(refDir, capture))
    const l2 = tsharkRows(capture, 'l2').filter((r) => packetFrames.has(num(r, 'frame.number')))
    const recordOf = new Map(run.records.map((r) => [r.frame, r]))

    it('reads every frame that tshark reads', () => {
      expect(l2.length, `${capture}: no tshark references in ${refDir}`).toBeGreaterThan(0)
      expect(run.records.length).toBe(l2.length)
      expect(run.stats.frames).toBe(l2.length)
      expect(run.records.map((r) => r.capLen)).toEqual(l2.map((r) => num(r, 'frame.cap_len')))
    })

    it('link layer: MACs, VLAN ids (outermost first), SLL packet type', () => {
      const byNo = new Map(l2.map((r) => [num(r, 'frame.number'), r]))
      for (const ev of run.events) {
        const r = byNo.get(ev.frame)!
        const where = `${capture} frame ${ev.frame}`
        if (r['sll.pkttype'] !== '') {
          expect(ev.pktType, where).toBe(num(r, 'sll.pkttype'))
          expect(ev.ethSrc, where).toBe(num(r, 'sll.halen') === 6 ? first(r, 'sll.src.eth') : '')
          expect(ev.ethDst, where).toBe('')
        } else {
          expect(ev.pktType, where).toBe(-1)
          expect(ev.ethSrc, where).toBe(first(r, 'eth.src'))
          expect(ev.ethDst, where).toBe(first(r, 'eth.dst'))
        }
        // tshark lists 802.1ad S-tags and 802.1Q C-tags in separate fields; in these captures the
        // S-tag is always the outer one
        const vlans = [...all(r, 'ieee8021ad.id'), ...all(r, 'vlan.id')].map(Number)
        expect(ev.vlans, where).toEqual(vlans)
        expect(ev.input, where).toBe(0)
        const rec = recordOf.get(ev.frame)!
        expect([ev.tsSec, ev.tsNsec, ev.tsDigits], where).toEqual([rec.tsSec, rec.tsNsec, rec.tsDigits])
      }
    })

    it('ARP: opcode, sender and target MAC/IP', () => {
      const rows = tsharkRows(capture, 'arp')
      const got = run.byFrame('arp')
      const l2of = new Map(l2.map((r) => [num(r, 'frame.number'), r]))
      const usable = rows.filter((r) => arpUsable(r, l2of.get(num(r, 'frame.number'))!))
      expect([...got.keys()]).toEqual(usable.map((r) => num(r, 'frame.number')))
      for (const r of usable) {
        const [ev] = got.get(num(r, 'frame.number'))!
        expect({op: ev!.op, senderMac: ev!.senderMac, senderIp: ev!.senderIp, targetMac: ev!.targetMac, targetIp: ev!.targetIp})
          .toEqual({op: num(r, 'arp.opcode'), senderMac: first(r, 'arp.src.hw_mac'), senderIp: first(r, 'arp.src.proto_ipv4'),
            targetMac: first(r, 'arp.dst.hw_mac'), targetIp: first(r, 'arp.dst.proto_ipv4')})
      }
    })

    it('VRRP: version, VRID, priority, interval, auth, addresses, checksum, IP header', () => {
      const rows = tsharkRows(capture, 'vrrp')
      const got = run.byFrame('vrrp')
      const usable = rows.filter((r) => vrrpUsable(capture, r))
      expect([...got.keys()]).toEqual(usable.map((r) => num(r, 'frame.number')))
      for (const r of usable) {
        const [ev] = got.get(num(r, 'frame.number'))!
        const v6 = first(r, 'ipv6.src') !== ''
        const version = num(r, 'vrrp.version')
        const status = num(r, 'vrrp.checksum.status') // 0 bad, 1 good, 2 unverified
        const authType = version === 2 ? num(r, 'vrrp.auth_type') : 0
        expect(ev).toMatchObject({
          family: v6 ? 'ipv6' : 'ipv4',
          ipSrc: first(r, v6 ? 'ipv6.src' : 'ip.src'),
          ipDst: first(r, v6 ? 'ipv6.dst' : 'ip.dst'),
          ttl: num(r, v6 ? 'ipv6.hlim' : 'ip.ttl'),
          version,
          vrid: num(r, 'vrrp.virt_rtr_id'),
          priority: num(r, 'vrrp.prio'),
          intervalCs: version === 2 ? num(r, 'vrrp.adver_int') * 100 : num(r, 'vrrp.short_adver_int'),
          authType,
          authData: authType === 1 ? first(r, 'vrrp.auth_string') : '',
          addrs: all(r, v6 ? 'vrrp.ipv6_addr' : 'vrrp.ip_addr'),
          checksumOk: status !== 0,
        })
        expect(ev!.addrs.length).toBe(num(r, 'vrrp.addr_count'))
      }
      expect(run.stats.badVrrpChecksum).toBe(usable.filter((r) => num(r, 'vrrp.checksum.status') === 0).length)
    })

    it('ND: NS/NA type, addresses, target, link-layer option, flags', () => {
      const rows = tsharkRows(capture, 'nd')
      const got = run.byFrame('nd')
      expect([...got.keys()]).toEqual(rows.map((r) => num(r, 'frame.number')))
      for (const r of rows) {
        const [ev] = got.get(num(r, 'frame.number'))!
        const na = num(r, 'icmpv6.type') === 136
        expect(ev).toMatchObject({
          type: num(r, 'icmpv6.type'),
          ipSrc: first(r, 'ipv6.src'),
          ipDst: first(r, 'ipv6.dst'),
          target: first(r, na ? 'icmpv6.nd.na.target_address' : 'icmpv6.nd.ns.target_address'),
          lladdr: first(r, na ? 'icmpv6.opt.target_linkaddr' : 'icmpv6.opt.src_linkaddr'),
          router: na && num(r, 'icmpv6.nd.na.flag.r') === 1,
          solicited: na && num(r, 'icmpv6.nd.na.flag.s') === 1,
          override: na && num(r, 'icmpv6.nd.na.flag.o') === 1,
        })
      }
    })

    it('traffic: TCP/UDP ports, TCP flags, payload length, ICMP/ICMPv6 echo and errors', () => {
      const rows = tsharkRows(capture, 'traffic')
      const got = run.byFrame('traffic')
      const expected = new Map<number, Partial<DecodedEvent>>()
      for (const r of rows) {
        const v6 = first(r, 'ipv6.src') !== ''
        const base = {family: v6 ? 'ipv6' : 'ipv4', ipSrc: first(r, v6 ? 'ipv6.src' : 'ip.src'), ipDst: first(r, v6 ? 'ipv6.dst' : 'ip.dst')} as const
        const it4 = num(r, 'icmp.type'), it6 = num(r, 'icmpv6.type')
        let e: Partial<DecodedEvent> | null = null
        if (!Number.isNaN(it4)) {
          if (it4 === 0 || it4 === 8) {
            const id = num(r, 'icmp.ident')
            e = {...base, proto: 1, icmpType: it4, icmpCode: num(r, 'icmp.code'), sport: id, dport: id, tcpFlags: 0, quoted: null}
          } else if ([3, 4, 5, 11, 12].includes(it4)) {
            e = {...base, proto: 1, icmpType: it4, icmpCode: num(r, 'icmp.code'), sport: 0, dport: 0, tcpFlags: 0}
          }
        } else if (!Number.isNaN(it6)) {
          if (it6 === 128 || it6 === 129) {
            const id = num(r, 'icmpv6.echo.identifier')
            e = {...base, proto: 58, icmpType: it6, icmpCode: num(r, 'icmpv6.code'), sport: id, dport: id, tcpFlags: 0, quoted: null}
          } else if (it6 >= 1 && it6 <= 4) {
            e = {...base, proto: 58, icmpType: it6, icmpCode: num(r, 'icmpv6.code'), sport: 0, dport: 0, tcpFlags: 0}
          }
        } else if (first(r, 'tcp.srcport') !== '') {
          e = {...base, proto: 6, sport: num(r, 'tcp.srcport'), dport: num(r, 'tcp.dstport'), tcpFlags: num(r, 'tcp.flags') & 0xff,
            icmpType: -1, icmpCode: -1, quoted: null, payloadLen: num(r, 'tcp.len')}
        } else if (first(r, 'udp.srcport') !== '') {
          e = {...base, proto: 17, sport: num(r, 'udp.srcport'), dport: num(r, 'udp.dstport'), tcpFlags: 0,
            icmpType: -1, icmpCode: -1, quoted: null}
        }
        if (e) expected.set(num(r, 'frame.number'), e)
      }
      expect([...got.keys()]).toEqual([...expected.keys()])
      for (const [frame, e] of expected) {
        const evs = got.get(frame)!
        expect(evs.length).toBe(1)
        expect(evs[0], `${capture} frame ${frame}`).toMatchObject(e)
      }
    })
  })
}
