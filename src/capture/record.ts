// One captured frame as every packet source (pcap, pcapng, live) hands it on.
// The object is reused by the source, and its bytes are the source's own buffer (`buf`, from `off`,
// `capLen` bytes: no view is made per frame): a consumer that keeps anything past the callback must
// copy it (frameBytes(rec).slice()).

export interface PacketRecord {
  /** index of the input (file or interface) in the order given on the command line */
  input: number
  /** 1-based frame number within this input, as Wireshark counts it */
  frame: number
  /** capture time: whole seconds since the Unix epoch */
  tsSec: number
  /** capture time: nanoseconds within the second (0..999_999_999) */
  tsNsec: number
  /** decimal digits the source really has (6 for µs pcap, 9 for ns pcap, per pcapng if_tsresol) */
  tsDigits: number
  /** LINKTYPE_* value of the frame */
  linkType: number
  /** bytes captured: the frame is buf[off, off + capLen) */
  capLen: number
  /** length of the frame on the wire */
  origLen: number
  /** the buffer holding the frame (the reader's chunk: other frames' bytes around it); valid only
   *  during the callback */
  buf: Uint8Array
  /** where the frame starts in `buf` */
  off: number
  /** pcapng interface id (0 for pcap and live) */
  iface: number
}

export type PacketSink = (rec: PacketRecord) => void

export function newRecord(input = 0): PacketRecord {
  return {input, frame: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: 1, capLen: 0, origLen: 0, buf: new Uint8Array(0), off: 0, iface: 0}
}

/** The frame's bytes as a view (valid only during the callback, like the record). */
export function frameBytes(rec: PacketRecord): Uint8Array {
  return rec.buf.subarray(rec.off, rec.off + rec.capLen)
}

/** Points a record at a frame held in its own array (tests, probes, writers' callers). */
export function setFrame(rec: PacketRecord, bytes: Uint8Array): PacketRecord {
  rec.buf = bytes
  rec.off = 0
  rec.capLen = bytes.length
  return rec
}

/** LINKTYPE_* values drcheck understands. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD: 12,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const

const linkTypeNames: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 12: 'RAW', 101: 'RAW', 108: 'LOOP', 113: 'LINUX_SLL', 228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2',
}

/** libpcap's DLT name for a LINKTYPE value (the spec's `linkTypes` field), or LINKTYPE_<n>. */
export function linkTypeName(lt: number): string {
  return linkTypeNames[lt] ?? `LINKTYPE_${lt}`
}
