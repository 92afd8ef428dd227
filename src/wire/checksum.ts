// Internet checksum (RFC 1071) helpers: one's-complement sums over byte ranges.

/** Adds the 16-bit big-endian words of b[off..end) to `sum` (odd tail padded with zero).
 *  The result is not folded; call foldChecksum at the end. Safe for ranges up to ~64 MiB. */
export function onesSum(b: Uint8Array, off: number, end: number, sum = 0): number {
  let i = off
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!
  if (i < end) sum += b[i]! << 8
  return sum
}

/** Folds a running sum to 16 bits (not inverted). A correct packet folds to 0xffff. */
export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return sum
}
