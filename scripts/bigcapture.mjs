#!/usr/bin/env node
// Writes a big classic pcap (LE, nanosecond) by repeating the frames of a fixture, for memory and
// speed measurements. Never commit its output.
//
//   node scripts/bigcapture.mjs [--size 4G] [--from fixtures/lab/failover-hard/lb1.pcap] [--out /tmp/drc-big.pcap]
//   /usr/bin/time -v ./bin/run.js verify -r /tmp/drc-big.pcap      # "Maximum resident set size"
//
// Each repetition of the fixture is shifted in time by the fixture's duration + 1 s, so timestamps
// keep increasing and the checks see one long capture (the same VRRP routers, flows that repeat).
// --size accepts K/M/G suffixes (powers of 1024); the file ends at the first whole repetition past it.
// Needs the built reader (npm run build).

import {closeSync, openSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def }
const parseSize = (s) => { const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(s); if (!m) throw new Error(`--size ${s}`); return Math.round(Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase())) }
const size = parseSize(opt('--size', '4G'))
const from = opt('--from', join(ROOT, 'fixtures/lab/failover-hard/lb1.pcap'))
const out = opt('--out', '/tmp/drc-big.pcap')

const {readCaptureFile} = await import(join(ROOT, 'dist/capture/file.js'))
const frames = []
let linkType = 1
readCaptureFile(from, 0, (r) => {
  linkType = r.linkType
  frames.push({ns: BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsNsec), orig: r.origLen, data: Buffer.from(r.buf.subarray(r.off, r.off + r.capLen))})
})
if (frames.length === 0) throw new Error(`${from}: no frames`)
const span = frames[frames.length - 1].ns - frames[0].ns + 1_000_000_000n

// one repetition as bytes, timestamps relative to the first frame
const parts = []
for (const f of frames) {
  const h = Buffer.alloc(16)
  const rel = f.ns - frames[0].ns
  h.writeUInt32LE(Number(rel / 1_000_000_000n), 0); h.writeUInt32LE(Number(rel % 1_000_000_000n), 4)
  h.writeUInt32LE(f.data.length, 8); h.writeUInt32LE(f.orig, 12)
  parts.push(h, f.data)
}
const rep = Buffer.concat(parts)
const header = Buffer.alloc(24)
header.writeUInt32LE(0xa1b23c4d, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6); header.writeUInt32LE(262144, 16); header.writeUInt32LE(linkType, 20)

const fd = openSync(out, 'w')
writeSync(fd, header)
let written = header.length, reps = 0
const batch = Math.max(1, Math.floor((8 << 20) / rep.length)) // ~8 MiB per write
const chunk = Buffer.alloc(rep.length * batch)
const base0 = frames[0].ns
while (written < size) {
  for (let k = 0; k < batch; k++) {
    rep.copy(chunk, k * rep.length)
    const shift = base0 + BigInt(reps + k) * span
    // rewrite the absolute timestamps of this copy
    for (let o = k * rep.length; o < (k + 1) * rep.length; o += 16 + chunk.readUInt32LE(o + 8)) {
      const ns = BigInt(chunk.readUInt32LE(o)) * 1_000_000_000n + BigInt(chunk.readUInt32LE(o + 4)) + shift
      chunk.writeUInt32LE(Number(ns / 1_000_000_000n), o); chunk.writeUInt32LE(Number(ns % 1_000_000_000n), o + 4)
    }
  }
  writeSync(fd, chunk)
  written += chunk.length
  reps += batch
}
closeSync(fd)
console.log(`${out}: ${written} bytes, ${reps * frames.length} frames (${reps} copies of ${from.replace(ROOT + '/', '')}, ${frames.length} frames each)`)
