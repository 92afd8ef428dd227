// Test-only capture reader (the production readers live in src/capture/): classic pcap in both
// byte orders with µs or ns timestamps, and pcapng (SHB per section byte order, IDB link type and
// if_tsresol, EPB and SPB). Returns one PacketRecord per frame, with its own copy of the bytes.

import {readFileSync} from 'node:fs'
import type {PacketRecord} from '../../src/capture/record.js'

export function readCapture(file: string, input = 0): PacketRecord[] {
  const b = readFileSync(file)
  const buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const magic = dv.getUint32(0, false)
  if (magic === 0x0a0d0d0a) return readPcapng(buf, dv, input)
  return readPcap(buf, dv, magic, input, file)
}

function readPcap(buf: Uint8Array, dv: DataView, magic: number, input: number, file: string): PacketRecord[] {
  let le: boolean, nano: boolean
  switch (magic) {
    case 0xa1b2c3d4: le = false; nano = false; break
    case 0xd4c3b2a1: le = true; nano = false; break
    case 0xa1b23c4d: le = false; nano = true; break
    case 0x4d3cb2a1: le = true; nano = true; break
    default: throw new Error(`${file}: not a capture file`)
  }
  const linkType = dv.getUint32(20, le) & 0x0fffffff
  const out: PacketRecord[] = []
  let off = 24
  let frame = 0
  while (off + 16 <= buf.length) {
    const sec = dv.getUint32(off, le)
    const frac = dv.getUint32(off + 4, le)
    const capLen = dv.getUint32(off + 8, le)
    const origLen = dv.getUint32(off + 12, le)
    off += 16
    if (off + capLen > buf.length) throw new Error(`${file}: record ${frame + 1} cut short`)
    out.push({
      input, frame: ++frame, tsSec: sec, tsNsec: nano ? frac : frac * 1000, tsDigits: nano ? 9 : 6,
      linkType, capLen, origLen, buf: buf.slice(off, off + capLen), off: 0, iface: 0,
    })
    off += capLen
  }
  return out
}

interface Iface { linkType: number; unitsPerSec: bigint; digits: number; snap: number }

function readPcapng(buf: Uint8Array, dv: DataView, input: number): PacketRecord[] {
  const out: PacketRecord[] = []
  let off = 0
  let le = true
  let ifaces: Iface[] = []
  let frame = 0
  while (off + 12 <= buf.length) {
    const typeBE = dv.getUint32(off, false)
    if (typeBE === 0x0a0d0d0a) {
      le = dv.getUint32(off + 8, true) === 0x1a2b3c4d
      ifaces = []
    }
    const type = dv.getUint32(off, le)
    const len = dv.getUint32(off + 4, le)
    if (len < 12 || off + len > buf.length) throw new Error('pcapng block cut short')
    const body = off + 8
    if (type === 1) {
      const iface: Iface = {linkType: dv.getUint16(body, le), unitsPerSec: 1_000_000n, digits: 6, snap: dv.getUint32(body + 4, le)}
      let o = body + 8
      while (o + 4 <= off + len - 4) {
        const code = dv.getUint16(o, le), olen = dv.getUint16(o + 2, le)
        if (code === 0) break
        if (code === 9 && olen >= 1) {
          const r = buf[o + 4]!
          if (r & 0x80) { iface.unitsPerSec = 1n << BigInt(r & 0x7f); iface.digits = Math.ceil((r & 0x7f) * Math.log10(2)) }
          else { iface.unitsPerSec = 10n ** BigInt(r); iface.digits = r }
        }
        o += 4 + ((olen + 3) & ~3)
      }
      ifaces.push(iface)
    } else if (type === 6) {
      const id = dv.getUint32(body, le)
      const ts = (BigInt(dv.getUint32(body + 4, le)) << 32n) | BigInt(dv.getUint32(body + 8, le))
      const capLen = dv.getUint32(body + 12, le)
      const origLen = dv.getUint32(body + 16, le)
      const iface = ifaces[id]!
      const sec = ts / iface.unitsPerSec
      const nsec = ((ts % iface.unitsPerSec) * 1_000_000_000n) / iface.unitsPerSec
      out.push({
        input, frame: ++frame, tsSec: Number(sec), tsNsec: Number(nsec), tsDigits: iface.digits,
        linkType: iface.linkType, capLen, origLen, buf: buf.slice(body + 20, body + 20 + capLen), off: 0, iface: id,
      })
    } else if (type === 3) {
      const iface = ifaces[0]!
      const origLen = dv.getUint32(body, le)
      const capLen = Math.min(origLen, iface.snap || origLen, len - 16)
      out.push({
        input, frame: ++frame, tsSec: 0, tsNsec: 0, tsDigits: iface.digits,
        linkType: iface.linkType, capLen, origLen, buf: buf.slice(body + 4, body + 4 + capLen), off: 0, iface: 0,
      })
    }
    off += len
  }
  return out
}
