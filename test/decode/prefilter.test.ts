// The VIP-learning pass skips frames mayBeVrrp() rejects: it must never reject an advert.
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readCaptureFile} from '../../src/capture/file.js'
import {newRecord, setFrame} from '../../src/capture/record.js'
import {Dissector} from '../../src/decode/dissect.js'
import {mayBeVrrp} from '../../src/decode/prefilter.js'

const root = join(import.meta.dirname, '../..')

function captures(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return captures(p)
    return /\.(pcap|pcapng|cap)$/.test(f) ? [p] : []
  })
}

function frame(hex: string) {
  const r = newRecord()
  r.linkType = 1
  return setFrame(r, Uint8Array.from(hex.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16))))
}

const ETH_V4 = '01005e000012 020000000011 0800'
const ETH_V6 = '333300000012 020000000011 86dd'
const pad = (n: number) => '00'.repeat(n)

describe('mayBeVrrp', () => {
  it('rejects ARP, IPv4 TCP and IPv6 UDP; keeps VRRP, IPv6 behind an extension header, VLAN-tagged and non-Ethernet frames', () => {
    expect(mayBeVrrp(frame('ffffffffffff 020000000011 0806' + pad(46)))).toBe(false)
    expect(mayBeVrrp(frame(ETH_V4 + '4500002800004000 4006' + pad(30)))).toBe(false) // protocol 6
    expect(mayBeVrrp(frame(ETH_V4 + '4500002800004000 ff70' + pad(30)))).toBe(true) // protocol 112
    expect(mayBeVrrp(frame(ETH_V4 + '4600002c00004000 ff70' + pad(34)))).toBe(true) // with options
    expect(mayBeVrrp(frame(ETH_V6 + '60000000 0008 11ff' + pad(40)))).toBe(false) // next header 17
    expect(mayBeVrrp(frame(ETH_V6 + '60000000 0010 00ff' + pad(40)))).toBe(true) // hop-by-hop first
    expect(mayBeVrrp(frame('01005e000012 020000000011 8100 0064 0800 4500002800004000 4006' + pad(30)))).toBe(true)
    const sll = frame(pad(60))
    sll.linkType = 113
    expect(mayBeVrrp(sll)).toBe(true)
  })

  const files = captures(join(root, 'fixtures')).filter((f) => !f.includes('/corpus/'))
  it(`keeps every frame the Dissector decodes as VRRP, in all ${files.length} fixture captures`, () => {
    let adverts = 0, skipped = 0
    for (const f of files) {
      let vrrpFrame = -1
      const d = new Dissector((ev) => { if (ev.kind === 'vrrp') vrrpFrame = ev.frame })
      try {
        readCaptureFile(f, 0, (rec) => {
          vrrpFrame = -1
          d.dissect(rec)
          const keep = mayBeVrrp(rec)
          if (!keep) skipped++
          if (vrrpFrame === rec.frame) {
            adverts++
            expect(keep, `${f} frame ${rec.frame}`).toBe(true)
          }
        })
      } catch { /* fixtures that are unreadable on purpose */ }
    }
    expect(adverts).toBeGreaterThan(1000)
    expect(skipped).toBeGreaterThan(1000)
  })
})
