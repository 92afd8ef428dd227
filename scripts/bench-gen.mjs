#!/usr/bin/env node
// Generates realistic captures for `npm run bench` (cached in bench-data/): a proxy's view of mail
// traffic through a Direct Routing VIP — TCP sessions (IMAP/SMTP/POP3: handshake, a few data
// segments each way, FIN), UDP queries, VRRP adverts every second from the master, ARP, and a hard
// failover in the middle (adverts stop, another LB takes over after 3 × 1 s + skew, gratuitous ARP).
//   node scripts/bench-gen.mjs --packets 2000000 --view proxy|lan --family v4|mix --out FILE
// Deterministic (fixed seed), streamed to disk in 4 MiB chunks: memory stays flat at any size.
import {closeSync, openSync, writeSync} from 'node:fs'

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)))
const total = Number(args.packets ?? 2_000_000)
const view = args.view ?? 'proxy'
const mix = (args.family ?? 'v4') === 'mix'
const out = args.out ?? `bench-data/${view}-${mix ? 'mix' : 'v4'}-${total}.pcap`

let seed = 0x2545f491
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32)

const MAC = {gw: [2, 0, 0, 0, 0, 1], lb1: [2, 0, 0, 0, 0, 0x11], lb2: [2, 0, 0, 0, 0, 0x12], rs1: [2, 0, 0, 0, 0, 0x21], rs2: [2, 0, 0, 0, 0, 0x22]}
const VIP4 = [198, 51, 100, 10], VIP6 = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]
const LB1_4 = [198, 51, 100, 2], LB2_4 = [198, 51, 100, 3]

const buf = Buffer.alloc(4 << 20)
let pos = 0
const fd = openSync(out, 'w')
function flush() { writeSync(fd, buf, 0, pos); pos = 0 }
// pcap header: LE, µs, snaplen 262144, Ethernet
buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6)
buf.writeUInt32LE(0, 8); buf.writeUInt32LE(0, 12); buf.writeUInt32LE(262144, 16); buf.writeUInt32LE(1, 20)
pos = 24

let tUs = 1_800_000_000 * 1e6
let written = 0
function frame(len, fill) {
  if (pos + 16 + len > buf.length) flush()
  buf.writeUInt32LE(Math.floor(tUs / 1e6), pos); buf.writeUInt32LE(Math.floor(tUs % 1e6), pos + 4)
  buf.writeUInt32LE(len, pos + 8); buf.writeUInt32LE(len, pos + 12)
  const o = pos + 16
  buf.fill(0, o, o + len)
  fill(o)
  pos = o + len
  written++
}
function eth(o, dst, src, type) { for (let i = 0; i < 6; i++) { buf[o + i] = dst[i]; buf[o + 6 + i] = src[i] } buf.writeUInt16BE(type, o + 12) }
function csum(o, len, init = 0) {
  let s = init
  for (let i = 0; i < len - 1; i += 2) s += buf.readUInt16BE(o + i)
  if (len & 1) s += buf[o + len - 1] << 8
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16)
  return ~s & 0xffff
}
function ipv4(o, src, dst, proto, payload, ttl = 64) {
  buf[o] = 0x45; buf.writeUInt16BE(20 + payload, o + 2); buf.writeUInt16BE((written * 7) & 0xffff, o + 4)
  buf[o + 8] = ttl; buf[o + 9] = proto
  for (let i = 0; i < 4; i++) { buf[o + 12 + i] = src[i]; buf[o + 16 + i] = dst[i] }
  buf.writeUInt16BE(csum(o, 20), o + 10)
}
function ipv6(o, src, dst, next, payload) {
  buf[o] = 0x60; buf.writeUInt16BE(payload, o + 4); buf[o + 6] = next; buf[o + 7] = 64
  for (let i = 0; i < 16; i++) { buf[o + 8 + i] = src[i]; buf[o + 24 + i] = dst[i] }
}
function tcp(o, sport, dport, seq, ack, flags) {
  buf.writeUInt16BE(sport, o); buf.writeUInt16BE(dport, o + 2); buf.writeUInt32BE(seq >>> 0, o + 4); buf.writeUInt32BE(ack >>> 0, o + 8)
  buf[o + 12] = 0x50; buf[o + 13] = flags; buf.writeUInt16BE(64240, o + 14)
}
function vrrp(mac, src, prio) {
  frame(14 + 20 + 12, (o) => {
    eth(o, [1, 0, 0x5e, 0, 0, 0x12], mac, 0x0800)
    ipv4(o + 14, src, [224, 0, 0, 18], 112, 12, 255)
    const v = o + 34
    buf[v] = 0x21; buf[v + 1] = 51; buf[v + 2] = prio; buf[v + 3] = 1; buf[v + 5] = 1
    for (let i = 0; i < 4; i++) buf[v + 8 + i] = VIP4[i]
    buf.writeUInt16BE(csum(v, 12), v + 6)
  })
}
function garp(mac) {
  frame(60, (o) => {
    eth(o, [255, 255, 255, 255, 255, 255], mac, 0x0806)
    const a = o + 14
    buf.writeUInt16BE(1, a); buf.writeUInt16BE(0x0800, a + 2); buf[a + 4] = 6; buf[a + 5] = 4; buf.writeUInt16BE(1, a + 6)
    for (let i = 0; i < 6; i++) buf[a + 8 + i] = mac[i]
    for (let i = 0; i < 4; i++) { buf[a + 14 + i] = VIP4[i]; buf[a + 24 + i] = VIP4[i] }
  })
}

// one TCP/UDP packet of a session, as the proxy (or the LAN) sees it
function l4(v6, client, cport, sport, toVip, flags, dataLen, seq, ack, proto, lbMac, rsMac) {
  const ipLen = v6 ? 40 : 20
  const l4Len = proto === 6 ? 20 : 8
  const len = 14 + ipLen + l4Len + dataLen
  frame(len, (o) => {
    if (toVip) eth(o, rsMac, lbMac, v6 ? 0x86dd : 0x0800)
    else eth(o, MAC.gw, rsMac, v6 ? 0x86dd : 0x0800)
    const ip = o + 14
    const vip = v6 ? VIP6 : VIP4
    if (v6) ipv6(ip, toVip ? client : vip, toVip ? vip : client, proto, l4Len + dataLen)
    else ipv4(ip, toVip ? client : vip, toVip ? vip : client, proto, l4Len + dataLen)
    const t = ip + ipLen
    if (proto === 6) tcp(t, toVip ? cport : sport, toVip ? sport : cport, seq, ack, flags)
    else { buf.writeUInt16BE(toVip ? cport : sport, t); buf.writeUInt16BE(toVip ? sport : cport, t + 2); buf.writeUInt16BE(8 + dataLen, t + 4) }
  })
}

const ratePerS = 20_000 // packets per second of capture time: 2 M packets ≈ 100 s
const durationS = total / ratePerS
const failAt = tUs + (durationS / 2) * 1e6
let nextAdvert = tUs
let master = 'lb1'
let downUntil = 0
let sessions = []
const SERVICES = [143, 143, 143, 25, 110, 993]

while (written < total) {
  tUs += 1e6 / ratePerS * (0.5 + rnd())
  if (tUs >= nextAdvert) {
    if (master === 'lb1' && tUs >= failAt) {
      // lb1 dies: silence for Master_Down_Interval (3 × 1 s + 156/256 s), then lb2 advertises
      master = 'none'; downUntil = nextAdvert - 1e6 + 3.609375e6; nextAdvert = downUntil; continue
    }
    if (master === 'none') { master = 'lb2'; vrrp(MAC.lb2, LB2_4, 100); garp(MAC.lb2); nextAdvert += 1e6; continue }
    if (master !== 'none') vrrp(MAC[master], master === 'lb1' ? LB1_4 : LB2_4, master === 'lb1' ? 150 : 100)
    if (rnd() < 0.2) garp(MAC[master === 'lb2' ? 'lb2' : 'lb1'])
    nextAdvert += 1e6
    continue
  }
  const lbMac = master === 'lb2' ? MAC.lb2 : MAC.lb1
  if (sessions.length < 2000 && rnd() < 0.05) {
    const v6 = mix && rnd() < 0.5
    const client = v6 ? [0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, (rnd() * 255) | 0, (rnd() * 255) | 0, 1 + ((rnd() * 250) | 0)]
      : [203, 0, 113 + ((rnd() * 3) | 0), 1 + ((rnd() * 250) | 0)]
    const udp = rnd() < 0.1
    sessions.push({v6, client, cport: 1024 + ((rnd() * 60000) | 0), sport: udp ? 53 : SERVICES[(rnd() * SERVICES.length) | 0], proto: udp ? 17 : 6,
      step: 0, steps: udp ? 2 : 6 + ((rnd() * 20) | 0), seq: (rnd() * 2 ** 32) >>> 0, rs: rnd() < 0.5 ? MAC.rs1 : MAC.rs2})
    continue
  }
  if (sessions.length === 0) continue
  const i = (rnd() * sessions.length) | 0
  const s = sessions[i]
  const toVip = s.proto === 17 ? s.step === 0 : s.step === 0 || s.step === 2 || (s.step > 2 && s.step % 2 === 1)
  let flags = 0x10, data = 0
  if (s.proto === 6) {
    if (s.step === 0) flags = 0x02
    else if (s.step === 1) flags = 0x12
    else if (s.step >= s.steps - 1) flags = 0x11
    else { flags = 0x18; data = toVip ? 40 + ((rnd() * 60) | 0) : 200 + ((rnd() * 1200) | 0) }
  } else data = toVip ? 30 : 120
  if (view === 'lan' && toVip) l4(s.v6, s.client, s.cport, s.sport, true, flags, data, s.seq, 0, s.proto, MAC.gw, lbMac)
  l4(s.v6, s.client, s.cport, s.sport, toVip, flags, data, s.seq + s.step, 0, s.proto, lbMac, s.rs)
  if (++s.step >= s.steps) sessions.splice(i, 1)
}
flush()
closeSync(fd)
console.log(`${out}: ${written} packets, ${durationS.toFixed(0)} s of capture time, failover at ${(durationS / 2).toFixed(0)} s`)
