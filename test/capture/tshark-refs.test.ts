// The pcap/pcapng readers against tshark, frame by frame, on real public captures.
// Expected values: fixtures/public/tshark/<capture>.tsv, written by scripts/tshark-refs.sh
// (tshark 4.0.17), plus facts stated in /work/shared/captures/public/MANIFEST.md.

import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile, type FileReadResult} from '../../src/capture/file.js'
import {frameBytes} from '../../src/capture/record.js'
import {allCaptures} from '../helpers/tshark-ref.js'

const dir = join(import.meta.dirname, '../../fixtures/public')

/** Wireshark WTAP_ENCAP_* (tshark's frame.encap_type) → LINKTYPE_* stored in the file. */
const wtapToLinkType: Record<string, number> = {'1': 1, '7': 101, '15': 0, '25': 113, '26': 107, '210': 276}

interface Row {
  number: number
  time: string
  len: number
  capLen: number
  iface: string
  encap: string
  md5: string
}

function tsharkRows(capture: string, refDir = join(dir, 'tshark')): Row[] {
  const lines = readFileSync(join(refDir, `${capture.replace(/^.*\//, '')}.tsv`), 'utf8').split('\n').filter((l) => l !== '')
  expect(lines[0]).toMatch(/^# tshark [\d.]+: tshark -r /)
  expect(lines[1]).toBe('frame.number\tframe.time_epoch\tframe.len\tframe.cap_len\tframe.interface_id\tframe.encap_type\tframe.md5_hash')
  return lines.slice(2).map((l) => {
    const [number, time, len, capLen, iface, encap, md5] = l.split('\t')
    return {number: Number(number), time: time!, len: Number(len), capLen: Number(capLen), iface: iface!, encap: encap!, md5: md5!}
  })
}

interface Got {
  frame: number
  time: string
  len: number
  capLen: number
  iface: number
  linkType: number
  digits: number
  md5: string
}

function read(capture: string, path = join(dir, capture)): {res: FileReadResult; got: Got[]} {
  const got: Got[] = []
  const res = readCaptureFile(path, 7, (r) => {
    expect(r.input).toBe(7)
    expect(frameBytes(r).length).toBe(r.capLen)
    expect(r.tsNsec).toBeGreaterThanOrEqual(0)
    expect(r.tsNsec).toBeLessThan(1e9)
    got.push({
      frame: r.frame,
      time: `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`,
      len: r.origLen,
      capLen: r.capLen,
      iface: r.iface,
      linkType: r.linkType,
      digits: r.tsDigits,
      md5: createHash('md5').update(frameBytes(r)).digest('hex'),
    })
  })
  return {res, got}
}

/** Checks every frame against tshark; returns the read result for further assertions. */
function compare(capture: string, path?: string, refDir?: string): {res: FileReadResult; got: Got[]} {
  const {res, got} = read(capture, path)
  // tshark also lists pcapng custom blocks as records (empty encapsulation): not packets, but
  // they take a frame number, and so do drcheck's frame numbers.
  const rows = tsharkRows(capture, refDir).filter((r) => r.encap !== '')
  expect(got.length).toBe(rows.length)
  expect(res.packets).toBe(rows.length)
  expect(res.truncated).toBeNull()
  let prevTime = '0.000000000'
  rows.forEach((row, i) => {
    const g = got[i]!
    const where = `${capture} packet ${i + 1} (tshark frame ${row.number})`
    expect(g.frame, where).toBe(Number(row.number))
    // An SPB has no timestamp: tshark shows none, the reader repeats the previous packet's.
    expect(g.time, where).toBe(row.time === '' ? prevTime : row.time)
    expect(g.len, where).toBe(row.len)
    expect(g.capLen, where).toBe(row.capLen)
    expect(g.iface, where).toBe(row.iface === '' ? 0 : Number(row.iface))
    expect(g.linkType, where).toBe(wtapToLinkType[row.encap])
    expect(g.md5, where).toBe(row.md5)
    prevTime = g.time
  })
  return {res, got}
}

describe('pcap readers agree with tshark on every frame', () => {
  it('LE µs pcap (packetlife VRRP failover)', () => {
    const {res, got} = compare('packetlife-vrrp-failover.cap')
    expect(res).toMatchObject({format: 'pcap', packets: 32, linkTypes: [1], warnings: []})
    expect(got.every((g) => g.digits === 6)).toBe(true)
  })

  it('BE µs pcap (tcpdump pptp)', () => {
    const {res, got} = compare('tcpdump-pptp-big-endian.pcap')
    expect(res).toMatchObject({format: 'pcap', packets: 23, linkTypes: [1]})
    expect(got[0]!.time).toBe('954147395.148077000') // MANIFEST: 2000-03-27 08:56:35.148077 UTC
  })

  it('BE ns pcap (PcapPlusPlus nanosecs_big_endian)', () => {
    const {res, got} = compare('pcapplusplus-nanosecs-big-endian.pcap')
    expect(res).toMatchObject({packets: 10, linkTypes: [1]})
    expect(got[0]!.time).toBe('1766361926.167647291')
    expect(got.every((g) => g.digits === 9)).toBe(true)
  })

  it('LE ns pcap with LINUX_SLL (tcpdump tcp-handshake-nano)', () => {
    const {res, got} = compare('tcpdump-tcp-handshake-nano-sll.pcap')
    expect(res).toMatchObject({packets: 3, linkTypes: [113]})
    expect(got.map((g) => g.time)).toEqual(['1418145369.924505488', '1418145370.052027262', '1418145370.052115157'])
    expect(got[0]!.digits).toBe(9)
  })

  it('snaplen-cut records: capLen < origLen (zeek truncated-header, snaplen 68)', () => {
    const {res, got} = compare('zeek-tcp-truncated-header.pcap')
    expect(res.packets).toBe(24)
    expect(got.every((g) => g.capLen < g.len)).toBe(true)
  })

  it('records longer than the header snaplen are kept as tshark keeps them, with a warning', () => {
    const {res, got} = compare('tcpdump-vrrp-print-oobr-2.pcap')
    expect(got.every((g) => g.capLen === 54)).toBe(true)
    expect(res.warnings).toEqual(["10 record(s) hold more bytes than the file's snaplen 41 (kept as in the file)"])
    const frelay = compare('tcpdump-vrrp-print-oobr-frelay.pcap')
    expect(frelay.res.linkTypes).toEqual([107])
    expect(frelay.got.map((g) => g.len)).toEqual([65535, 8192, 8192])
  })

  it('LINUX_SLL2 pcap', () => {
    expect(compare('zeek-linux-dlt-sll2.pcap').res.linkTypes).toEqual([276])
  })
})

describe('pcapng reader agrees with tshark on every frame', () => {
  it('LE pcapng, one interface (nDPI vrrp3)', () => {
    expect(compare('ndpi-vrrp3-ipv6-vlan.pcapng').res).toMatchObject({format: 'pcapng', packets: 10, linkTypes: [1]})
  })

  it('BE pcapng (pcapng-test-generator basic/test001)', () => {
    const {res, got} = compare('pcapng-testgen-be-basic-test001.pcapng')
    expect(res).toMatchObject({format: 'pcapng', packets: 4, linkTypes: [1]})
    expect(got.map((g) => g.len)).toEqual([314, 342, 314, 342])
  })

  it('two interfaces with two link types, snaplen 96 on the first (test006)', () => {
    const {res, got} = compare('pcapng-testgen-le-basic-test006-two-linktypes.pcapng')
    expect(res.linkTypes).toEqual([1, 0])
    expect(got.filter((g) => g.iface === 0).every((g) => g.capLen === 96 && g.len > 96)).toBe(true)
    expect(got.filter((g) => g.iface === 1).map((g) => [g.linkType, g.capLen])).toEqual([[0, 168]])
  })

  it('Ethernet + LINUX_SLL interfaces, ns resolution (PcapPlusPlus pcapng-example)', () => {
    const {res, got} = compare('pcapplusplus-pcapng-example-eth-sll.pcapng')
    expect(res).toMatchObject({packets: 159, linkTypes: [1, 113]})
    expect(got.filter((g) => g.iface === 0).length).toBe(59)
    expect(got.filter((g) => g.iface === 1 && g.linkType === 113).length).toBe(100)
    expect(got[0]!.digits).toBe(9)
  })

  it('11 interfaces, packets on two of them (PcapPlusPlus many_interfaces)', () => {
    const {res, got} = compare('pcapplusplus-many-interfaces-1.pcapng')
    expect(res.packets).toBe(64)
    // only link types of delivered packets: the idle IDBs' RAW (12) is not listed
    expect(res.linkTypes).toEqual([1, 0])
    expect(got.filter((g) => g.iface === 0).length).toBe(62)
    expect(got.filter((g) => g.iface === 10 && g.linkType === 0).length).toBe(2)
  })

  it('three sections BE/LE/BE, ids restarting per section, SPBs (test202: 8 packets)', () => {
    const {res, got} = compare('pcapng-testgen-be-difficult-test202-mixed-endian-shb.pcapng')
    expect(res).toMatchObject({packets: 8, linkTypes: [1, 0], warnings: []})
    expect(got.map((g) => g.iface)).toEqual([0, 0, 1, 0, 0, 0, 0, 1])
    // tshark counts 11 records: the 3 custom blocks are not packets, but take frame numbers
    expect(tsharkRows('pcapng-testgen-be-difficult-test202-mixed-endian-shb.pcapng').length).toBe(11)
  })

  it('every block type mixed: SHB options, CB/DCB, NRB, ISB, SPB, EPB (test102: 5 packets)', () => {
    const {res, got} = compare('pcapng-testgen-le-advanced-test102-all-blocks.pcapng')
    expect(res).toMatchObject({packets: 5, linkTypes: [1, 0], warnings: []})
    // packet 3 is the SPB: interface 0, cut to the IDB snaplen 96, time of packet 2
    expect(got[2]).toMatchObject({iface: 0, capLen: 96, len: 314, time: got[1]!.time})
    expect(tsharkRows('pcapng-testgen-le-advanced-test102-all-blocks.pcapng').length).toBe(8)
  })

  it('pcapng content in a file named .pcap: detected by magic (nDPI pop3)', () => {
    expect(compare('ndpi-pop3-pcapng-content.pcap').res).toMatchObject({format: 'pcapng', packets: 144, linkTypes: [1]})
  })
})

describe('every public and lab capture: the readers agree with tshark frame by frame', () => {
  const all = allCaptures()
  it('covers the 40 public captures and every lab capture', () => {
    expect(all.filter((c) => !c.name.startsWith('lab/')).length).toBe(40)
    expect(all.length).toBeGreaterThanOrEqual(40 + 22)
  })
  for (const c of all) {
    it(c.name, () => {
      const ref = join(c.refDir, `${c.name.replace(/^.*\//, '')}.tsv`)
      expect(existsSync(ref), `${ref} missing: run scripts/tshark-refs.sh and scripts/tshark-decode-refs.sh`).toBe(true)
      const {got} = compare(c.name, c.path, c.refDir)
      expect(got.length).toBeGreaterThan(0)
    })
  }
})
