#!/usr/bin/env node
// Inserts 802.1Q / 802.1ad tags into every Ethernet frame of a capture, byte for byte otherwise.
// (tcprewrite 4.4.3 --enet-vlan=add rewrites the MACs of IPv6 frames to 33:33:… multicast ones,
// so the lab's tagged fixtures are made with this instead.)
//   node scripts/vlan-tag.mjs IN OUT TAG[,TAG…]     a TAG is VID (802.1Q, 0x8100) or ad:VID (0x88a8), outermost first
import {readCaptureFile} from '../dist/capture/file.js'
import {PcapWriter} from '../dist/capture/pcap-writer.js'

const [input, output, spec] = process.argv.slice(2)
if (!input || !output || !spec) { console.error('usage: vlan-tag.mjs IN OUT TAG[,TAG…] (e.g. 100 or ad:200,100)'); process.exit(3) }
const tags = spec.split(',').map((t) => t.startsWith('ad:') ? [0x88a8, Number(t.slice(3))] : [0x8100, Number(t)])
let w = null
let n = 0
readCaptureFile(input, 0, (rec) => {
  if (rec.linkType !== 1) throw new Error(`${input}: frame ${rec.frame} is not Ethernet`)
  w ??= new PcapWriter(output, 1)
  const add = 4 * tags.length
  const data = new Uint8Array(rec.capLen + add)
  const frame = rec.buf.subarray(rec.off, rec.off + rec.capLen)
  data.set(frame.subarray(0, 12), 0)
  tags.forEach(([tpid, vid], i) => {
    data[12 + 4 * i] = tpid >> 8; data[13 + 4 * i] = tpid & 0xff
    data[14 + 4 * i] = (vid >> 8) & 0x0f; data[15 + 4 * i] = vid & 0xff
  })
  data.set(frame.subarray(12), 12 + add)
  w.write({...rec, buf: data, off: 0, capLen: data.length, origLen: rec.origLen + add})
  n++
})
w?.close()
console.log(`${output}: ${n} frames tagged ${spec}`)
