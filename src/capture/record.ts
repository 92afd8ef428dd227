// One captured frame as every packet source (pcap, pcapng, live) hands it on.
// The object and its `data` view are reused by the source: a consumer that keeps anything
// past the callback must copy it.

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
  /** bytes present in `data` */
  capLen: number
  /** length of the frame on the wire */
  origLen: number
  /** the captured bytes; valid only during the callback */
  data: Uint8Array
  /** pcapng interface id (0 for pcap and live) */
  iface: number
}

export type PacketSink = (rec: PacketRecord) => void

export function newRecord(input = 0): PacketRecord {
  return {input, frame: 0, tsSec: 0, tsNsec: 0, tsDigits: 6, linkType: 1, capLen: 0, origLen: 0, data: new Uint8Array(0), iface: 0}
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
