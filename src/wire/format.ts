// Fast formatters for the canonical address strings of src/decode/events.ts:
//   MAC  "02:00:00:00:00:21" (lowercase, colons), IPv4 dotted quad, IPv6 RFC 5952
//   (identical to ipaddr.js toRFC5952String(); proven in format.test.ts).
// They read the bytes in place; the caller has checked the bounds.

const HEX2: string[] = []
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'))
const DEC: string[] = []
for (let i = 0; i < 256; i++) DEC.push(String(i))

/** Six bytes at `off` as "aa:bb:cc:dd:ee:ff". */
export function formatMac(b: Uint8Array, off: number): string {
  return HEX2[b[off]!]! + ':' + HEX2[b[off + 1]!]! + ':' + HEX2[b[off + 2]!]! + ':' +
    HEX2[b[off + 3]!]! + ':' + HEX2[b[off + 4]!]! + ':' + HEX2[b[off + 5]!]!
}

/** Four bytes at `off` as a dotted quad. */
export function formatIpv4(b: Uint8Array, off: number): string {
  return DEC[b[off]!]! + '.' + DEC[b[off + 1]!]! + '.' + DEC[b[off + 2]!]! + '.' + DEC[b[off + 3]!]!
}

const groups = new Uint16Array(8)

/** Sixteen bytes at `off` as RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of
 *  zero groups – the first one on a tie – shortened to "::". No dotted IPv4 tail (as ipaddr.js). */
export function formatIpv6(b: Uint8Array, off: number): string {
  let bestStart = -1
  let bestLen = 1
  let runStart = -1
  for (let i = 0; i < 8; i++) {
    const g = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!
    groups[i] = g
    if (g === 0) {
      if (runStart < 0) runStart = i
      const len = i - runStart + 1
      if (len > bestLen) { bestLen = len; bestStart = runStart }
    } else {
      runStart = -1
    }
  }
  let s = ''
  if (bestStart < 0) {
    for (let i = 0; i < 8; i++) s += (i ? ':' : '') + groups[i]!.toString(16)
    return s
  }
  for (let i = 0; i < bestStart; i++) s += (i ? ':' : '') + groups[i]!.toString(16)
  s += '::'
  for (let i = bestStart + bestLen; i < 8; i++) s += (i > bestStart + bestLen ? ':' : '') + groups[i]!.toString(16)
  return s
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address at `off`. */
export function formatIp(b: Uint8Array, off: number, len: 4 | 16): string {
  return len === 4 ? formatIpv4(b, off) : formatIpv6(b, off)
}
