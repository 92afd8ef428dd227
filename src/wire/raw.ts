// Raw IP link types (LINKTYPE_RAW 101 and the BSD value 12, IPV4 228, IPV6 229): no link header;
// the IP version nibble decides.

/** 4 or 6 from the first nibble at `off`, 0 when empty or neither. */
export function rawIpVersion(buf: Uint8Array, off: number, end: number): 4 | 6 | 0 {
  if (off >= end || off >= buf.length) return 0
  const v = buf[off]! >> 4
  return v === 4 ? 4 : v === 6 ? 6 : 0
}
