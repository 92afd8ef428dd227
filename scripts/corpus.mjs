#!/usr/bin/env node
// Writes the generated part of the malformed-capture corpus: fixtures/corpus/generated/*.
//
//   node scripts/corpus.mjs
//
// Every file is built here from literal bytes or by cutting and corrupting a lab fixture, so the
// corpus does not depend on drcheck's own output. test/errors/corpus.test.ts runs drcheck on each
// of them (and on the malformed public captures, and on every crash the fuzzer ever saved in
// fixtures/corpus/crashes): no crash, no hang, exit status 0-3, at most one line on stderr.
// Re-running rewrites the same bytes (deterministic).

import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const OUT = join(ROOT, 'fixtures/corpus/generated')

// ---- builders (little-endian unless said) ----
const u16 = (v, le = true) => { const b = Buffer.alloc(2); le ? b.writeUInt16LE(v & 0xffff) : b.writeUInt16BE(v & 0xffff); return b }
const u32 = (v, le = true) => { const b = Buffer.alloc(4); le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); return b }
const cat = (...p) => Buffer.concat(p)
const hexb = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

function pcapHeader({magic = 0xa1b2c3d4, major = 2, minor = 4, snaplen = 65535, linkType = 1, le = true} = {}) {
  return cat(u32(magic, le), u16(major, le), u16(minor, le), u32(0, le), u32(0, le), u32(snaplen, le), u32(linkType, le))
}
function rec(data, {incl = data.length, orig = data.length, sec = 1_700_000_000, frac = 0, le = true} = {}) {
  return cat(u32(sec, le), u32(frac, le), u32(incl, le), u32(orig, le), data)
}
const pcap = (frames, h = {}) => cat(pcapHeader(h), ...frames.map((f) => (Buffer.isBuffer(f) ? rec(f) : rec(f.data, f))))

function block(type, body, {len = null, trailer = null} = {}) {
  const pad = Buffer.alloc((4 - (body.length % 4)) % 4)
  const total = 12 + body.length + pad.length
  return cat(u32(type), u32(len ?? total), body, pad, u32(trailer ?? len ?? total))
}
const shb = (opts = {}) => block(0x0a0d0d0a, cat(u32(0x1a2b3c4d), u16(opts.major ?? 1), u16(0), Buffer.alloc(8, 0xff)), opts)
function idb(linkType = 1, {snaplen = 0, tsresol = null, extra = Buffer.alloc(0)} = {}) {
  const opts = tsresol === null ? Buffer.alloc(0) : cat(u16(9), u16(1), Buffer.from([tsresol, 0, 0, 0]))
  return block(1, cat(u16(linkType), u16(0), u32(snaplen), opts, extra, opts.length || extra.length ? cat(u16(0), u16(0)) : Buffer.alloc(0)))
}
function epb(data, {iface = 0, ts = 1_700_000_000_000_000n, caplen = data.length, orig = data.length, len = null, trailer = null} = {}) {
  return block(6, cat(u32(iface), u32(Number(ts >> 32n)), u32(Number(ts & 0xffffffffn)), u32(caplen), u32(orig), data), {len, trailer})
}
const spb = (data, orig = data.length) => block(3, cat(u32(orig), data))

// ---- frames ----
const MAC_A = '020000000011', MAC_B = '020000000021', BCAST = 'ffffffffffff'
const eth = (type, payload, dst = BCAST, src = MAC_A) => cat(hexb(dst + src), u16(type, false), payload)
function ipv4(proto, payload, {src = 'c6336402', dst = 'e0000012', total = null, ihl = 5, ttl = 255, flags = 0} = {}) {
  const h = Buffer.alloc(ihl * 4)
  h[0] = 0x40 | ihl; h.writeUInt16BE(total ?? h.length + payload.length, 2); h.writeUInt16BE(flags, 6); h[8] = ttl; h[9] = proto
  hexb(src).copy(h, 12); hexb(dst).copy(h, 16)
  return cat(h, payload)
}
function ipv6(next, payload, {src = 'fe800000000000000000000000000011', dst = 'ff020000000000000000000000000012', plen = null} = {}) {
  const h = Buffer.alloc(40)
  h[0] = 0x60; h.writeUInt16BE(plen ?? payload.length, 4); h[6] = next; h[7] = 255
  hexb(src).copy(h, 8); hexb(dst).copy(h, 24)
  return cat(h, payload)
}
const vrrp2 = (count, addrs) => cat(Buffer.from([0x21, 51, 150, count, 0, 1]), u16(0, false), ...addrs.map(hexb), Buffer.alloc(8))
const vrrp3 = (count, addrs) => cat(Buffer.from([0x31, 52, 150, count]), u16(100, false), u16(0, false), ...addrs.map(hexb))
const arp = (hlen, plen, op = 1, body = null) =>
  cat(u16(1, false), u16(0x0800, false), Buffer.from([hlen, plen]), u16(op, false), body ?? Buffer.alloc(2 * hlen + 2 * plen, 0x5a))
const tcp = (flags = 0x02) => cat(u16(40000, false), u16(25, false), u32(1, false), u32(0, false), Buffer.from([0x50, flags]), u16(65535, false), u32(0, false))

const files = {}
const add = (name, bytes) => { files[name] = bytes }

// ---- pcap header fields at boundary values ----
const good = eth(0x0800, ipv4(112, vrrp2(1, ['c6336401'])))
add('pcap-version-0.0.pcap', pcap([good], {major: 0, minor: 0}))
add('pcap-version-2.0-swapped-lengths.pcap', pcap([{data: good, incl: good.length + 100, orig: good.length}], {minor: 0}))
add('pcap-version-65535.pcap', pcap([good], {major: 65535, minor: 65535}))
add('pcap-snaplen-0.pcap', pcap([good], {snaplen: 0}))
add('pcap-snaplen-max.pcap', pcap([good], {snaplen: 0xffffffff}))
add('pcap-linktype-65535.pcap', pcap([good], {linkType: 0xffff}))
add('pcap-linktype-fcs-bits.pcap', pcap([good], {linkType: 0xf4000001}))
add('pcap-be-ns.pcap', pcap([], {magic: 0xa1b23c4d, le: false}).subarray(0, 24))
add('pcap-header-only-23-bytes.pcap', pcapHeader().subarray(0, 23))
add('pcap-nanos-fraction-over.pcap', cat(pcapHeader({magic: 0xa1b23c4d}), rec(good, {frac: 0xffffffff})))
add('pcap-ts-max.pcap', cat(pcapHeader(), rec(good, {sec: 0xffffffff, frac: 999999})))
// ---- record lengths ----
add('pcap-zero-length-records.pcap', pcap([Buffer.alloc(0), Buffer.alloc(0), good, Buffer.alloc(0)]))
add('pcap-incl-off-by-one-long.pcap', pcap([good, {data: good, incl: good.length + 1}]))
add('pcap-incl-off-by-one-short.pcap', pcap([{data: good, incl: good.length - 1}, good]))
add('pcap-orig-smaller-than-incl.pcap', pcap([{data: good, orig: good.length - 1}]))
add('pcap-incl-256MiB-plus-1.pcap', pcap([good, {data: good, incl: 256 * 1024 * 1024 + 1}]))
add('pcap-incl-256MiB-exactly-beyond-file.pcap', pcap([good, {data: good, incl: 256 * 1024 * 1024}]))
add('pcap-incl-4GiB.pcap', pcap([good, {data: good, incl: 0xffffffff}]))
add('pcap-record-header-cut.pcap', pcap([good, good]).subarray(0, 24 + 16 + good.length + 9))
// ---- pcapng ----
const ng = (...blocks) => cat(shb(), idb(1), ...blocks)
add('pcapng-block-length-0.pcapng', ng(epb(good), epb(good, {len: 0})))
add('pcapng-block-length-12.pcapng', ng(epb(good), block(6, Buffer.alloc(0)), epb(good)))
add('pcapng-block-length-13.pcapng', ng(epb(good), epb(good, {len: 13})))
add('pcapng-block-length-huge.pcapng', ng(epb(good), epb(good, {len: 0xfffffffc})))
add('pcapng-trailer-mismatch.pcapng', ng(epb(good), epb(good, {trailer: 4})))
add('pcapng-epb-before-idb.pcapng', cat(shb(), epb(good), idb(1), epb(good)))
add('pcapng-bad-interface-id.pcapng', ng(epb(good), epb(good, {iface: 0xffffffff})))
add('pcapng-caplen-beyond-block.pcapng', ng(epb(good), epb(good, {caplen: good.length + 4})))
add('pcapng-caplen-4GiB.pcapng', ng(epb(good), epb(good, {caplen: 0xffffffff})))
add('pcapng-shb-version-2.pcapng', cat(shb({major: 2}), idb(1), epb(good)))
add('pcapng-second-shb-version-2.pcapng', cat(ng(epb(good)), shb({major: 2}), idb(1), epb(good)))
add('pcapng-shb-only-cut.pcapng', shb().subarray(0, 11))
add('pcapng-tsresol-2pow-63.pcapng', cat(shb(), idb(1, {tsresol: 0x80 | 63}), epb(good, {ts: 0xffffffffffffffffn})))
add('pcapng-tsresol-2pow-127.pcapng', cat(shb(), idb(1, {tsresol: 0xff}), epb(good)))
add('pcapng-tsresol-10pow-19.pcapng', cat(shb(), idb(1, {tsresol: 19}), epb(good, {ts: 0xffffffffffffffffn})))
add('pcapng-tsresol-10pow-0.pcapng', cat(shb(), idb(1, {tsresol: 0}), epb(good, {ts: 0xffffffffffffffffn})))
add('pcapng-idb-option-overrun.pcapng', cat(shb(), idb(1, {extra: cat(u16(2), u16(0xffff))}), epb(good)))
add('pcapng-idb-too-short.pcapng', cat(shb(), block(1, Buffer.alloc(4)), epb(good)))
add('pcapng-spb-no-interface.pcapng', cat(shb(), spb(good)))
add('pcapng-spb-orig-huge.pcapng', cat(shb(), idb(1), spb(good, 0xffffffff)))
add('pcapng-unknown-linktype-and-ethernet.pcapng', cat(shb(), idb(147), idb(1), epb(good, {iface: 0}), epb(good, {iface: 1})))
add('pcapng-cut-at-eof.pcapng', ng(epb(good), epb(good)).subarray(0, -10))
// ---- hostile frames in a valid container ----
const vlans = (n) => cat(...Array.from({length: n}, () => cat(u16(0x8100, false), u16(0x0024, false))))
add('vlan-tags-without-end.pcap', pcap([cat(hexb(BCAST + MAC_A), vlans(200)), cat(hexb(BCAST + MAC_A), vlans(9), u16(0x0806, false), arp(6, 4))]))
add('vlan-qinq-88a8-loop.pcap', pcap([cat(hexb(BCAST + MAC_A), ...Array.from({length: 100}, () => cat(u16(0x88a8, false), u16(200, false))))]))
const hop = (next, len8 = 0) => cat(Buffer.from([next, len8]), Buffer.alloc(6 + len8 * 8))
add('ipv6-extension-header-loop.pcap', pcap([
  eth(0x86dd, ipv6(0, cat(...Array.from({length: 300}, () => hop(0)), hop(58)))),
  eth(0x86dd, ipv6(43, Buffer.from([43, 0, 0, 0, 0, 0, 0, 0]))),
  eth(0x86dd, ipv6(60, hop(60, 255))),
  eth(0x86dd, ipv6(44, cat(Buffer.from([44, 0, 0, 0]), u32(0, false), Buffer.from([44, 0, 0, 1]), u32(0, false)))),
]))
add('ipv6-payload-length-beyond-frame.pcap', pcap([eth(0x86dd, ipv6(6, tcp(), {plen: 65535}))]))
add('ipv4-total-length-beyond-frame.pcap', pcap([eth(0x0800, ipv4(6, tcp(0x18), {total: 65535})), eth(0x0800, ipv4(6, tcp(), {total: 0}))]))
add('ipv4-bad-ihl.pcap', pcap([eth(0x0800, ipv4(6, tcp(), {ihl: 15})), eth(0x0800, cat(Buffer.from([0x44]), Buffer.alloc(40))), eth(0x0800, ipv4(6, Buffer.alloc(0), {total: 10}))]))
add('arp-odd-lengths.pcap', pcap([
  eth(0x0806, arp(0, 0)), eth(0x0806, arp(1, 4)), eth(0x0806, arp(6, 16)), eth(0x0806, arp(255, 255)),
  eth(0x0806, arp(6, 4, 0xffff)), eth(0x0806, arp(6, 4, 1, Buffer.alloc(0))), eth(0x0806, arp(16, 4)), eth(0x0806, arp(6, 4, 2).subarray(0, 20)),
]))
add('vrrp-address-count-beyond-packet.pcap', pcap([
  eth(0x0800, ipv4(112, vrrp2(255, ['c6336401']))),
  eth(0x0800, ipv4(112, vrrp2(0, []))),
  eth(0x86dd, ipv6(112, vrrp3(255, ['20010db8000100000000000000000010']))),
  eth(0x86dd, ipv6(112, vrrp3(2, ['20010db8000100000000000000000010']).subarray(0, 20))),
  eth(0x0800, ipv4(112, Buffer.from([0xf1, 51, 150, 1]))),
]))
add('icmp-error-quoting-garbage.pcap', pcap([
  eth(0x0800, ipv4(1, cat(Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), Buffer.alloc(3, 0x45)), {src: 'c0000201', dst: 'c6336402'})),
  eth(0x86dd, ipv6(58, cat(Buffer.from([1, 4, 0, 0, 0, 0, 0, 0]), ipv6(0, hop(0)).subarray(0, 50)))),
]))
add('sll-sll2-null-raw-short.pcap', cat(
  pcap([Buffer.alloc(3), Buffer.alloc(15), cat(Buffer.alloc(14), u16(0x0806, false), arp(6, 4))], {linkType: 113}),
))
add('sll2-short.pcap', pcap([Buffer.alloc(19), cat(u16(0x86dd, false), Buffer.alloc(18))], {linkType: 276}))
add('null-loopback-bad-family.pcap', pcap([Buffer.alloc(3), cat(u32(0xffffffff), ipv4(17, Buffer.alloc(8))), cat(u32(2, false), ipv4(17, Buffer.alloc(4)))], {linkType: 0}))
add('raw-ip-version-garbage.pcap', pcap([Buffer.from([0x00]), Buffer.from([0x70, 1, 2, 3]), ipv6(17, Buffer.alloc(3))], {linkType: 101}))

// ---- lab fixtures cut and corrupted (offsets walked from their own record/block headers) ----
const lab = readFileSync(join(ROOT, 'fixtures/lab/failover-hard/lan.pcapng'))
const labBlocks = []
for (let o = 0; o + 8 <= lab.length;) { const len = lab.readUInt32LE(o + 4); labBlocks.push({type: lab.readUInt32LE(o), o, len}); o += len }
const e = labBlocks.filter((b) => b.type === 6)
const at = e[Math.floor(e.length / 2)]
const mut = (f) => { const b = Buffer.from(lab); f(b); return b }
add('lab-lan-cut-mid-block.pcapng', lab.subarray(0, at.o + 17))
add('lab-lan-block-length-0.pcapng', mut((b) => b.writeUInt32LE(0, at.o + 4)))
add('lab-lan-block-length-plus-4.pcapng', mut((b) => b.writeUInt32LE(at.len + 4, at.o + 4)))
add('lab-lan-block-length-minus-4.pcapng', mut((b) => b.writeUInt32LE(at.len - 4, at.o + 4)))
add('lab-lan-caplen-plus-1.pcapng', mut((b) => b.writeUInt32LE(b.readUInt32LE(at.o + 20) + 1, at.o + 20)))
add('lab-lan-iface-1.pcapng', mut((b) => b.writeUInt32LE(1, at.o + 8)))
add('lab-lan-idb-linktype-65535.pcapng', mut((b) => b.writeUInt16LE(0xffff, labBlocks.find((x) => x.type === 1).o + 8)))
const lb = readFileSync(join(ROOT, 'fixtures/lab/failover-hard/lb1.pcap'))
const starts = []
for (let o = 24; o + 16 <= lb.length; o += 16 + lb.readUInt32LE(o + 8)) starts.push(o)
const s = starts[Math.floor(starts.length / 2)]
const mutl = (f) => { const b = Buffer.from(lb); f(b); return b }
add('lab-lb1-cut-mid-record.pcap', lb.subarray(0, s + 16 + 5))
add('lab-lb1-incl-plus-1.pcap', mutl((b) => b.writeUInt32LE(b.readUInt32LE(s + 8) + 1, s + 8)))
add('lab-lb1-incl-minus-1.pcap', mutl((b) => b.writeUInt32LE(b.readUInt32LE(s + 8) - 1, s + 8)))
add('lab-lb1-incl-0.pcap', mutl((b) => b.writeUInt32LE(0, s + 8)))
add('lab-lb1-incl-huge.pcap', mutl((b) => b.writeUInt32LE(0xfffffff0, s + 8)))
add('lab-lb1-magic-swapped.pcap', mutl((b) => b.writeUInt32BE(0xd4c3b2a1 === b.readUInt32BE(0) ? 0xa1b2c3d4 : 0xd4c3b2a1, 0)))

rmSync(OUT, {recursive: true, force: true})
mkdirSync(OUT, {recursive: true})
for (const [name, bytes] of Object.entries(files)) writeFileSync(join(OUT, name), bytes)
console.log(`${Object.keys(files).length} files in ${OUT.slice(ROOT.length + 1)}`)
