// Cheap looks at a frame's raw bytes that tell, before any decoding, that the Dissector cannot
// produce a given event from it. Used where only rare events matter (the first pass that learns
// the VIPs from VRRP adverts): most frames are then skipped at reading speed. They must never
// reject a frame the Dissector would decode into that event (test/decode/prefilter.test.ts runs
// both over every capture fixture).

import {LinkType, type PacketRecord} from '../capture/record.js'

/** false only when the frame is certainly not a VRRP advert: untagged Ethernet carrying ARP, an
 *  IPv4 packet of another protocol, or an IPv6 packet whose first header is TCP, UDP or ICMPv6. */
export function mayBeVrrp(rec: PacketRecord): boolean {
  if (rec.linkType !== LinkType.ETHERNET || rec.capLen < 54) return true
  const b = rec.buf, o = rec.off
  const type = (b[o + 12]! << 8) | b[o + 13]!
  if (type === 0x0800) return b[o + 14 + 9] === 112 // IPv4 protocol field (whatever the header length)
  if (type === 0x86dd) {
    const next = b[o + 14 + 6]! // the fixed header's next header: not an extension header for these
    return next !== 6 && next !== 17 && next !== 58
  }
  return type !== 0x0806
}
