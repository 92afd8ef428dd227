// The flow table of the source check: millions of packets look a flow up, so the index is an
// open-addressing hash table in one Int32Array (linear probing; per slot the client's address key,
// the ports, protocol + input, and where the flow object is), not a Map of Maps. A lookup touches
// one slot (one cache line) and then the flow itself; nothing is allocated per packet.
//
// Keys are numbers computed from the bytes (src/wire/addr-key.ts), which may collide for different
// addresses: a slot matches only when the flow's own client address string is the same too.
// Flows are removed in bulk (`retain`, the time-based sweep), which rebuilds the index: no
// tombstones, and the table shrinks again after a burst of connections.

/** The fields the table is keyed by: they must not change while the entry is in the table (an
 *  entry dropped by retain() may be reused for another flow). */
export interface TableEntry {
  /** address key of the client (src/wire/addr-key.ts) */
  clientKey: number
  /** client port << 16 | service port */
  ports: number
  /** input << 8 | IP protocol */
  meta: number
  client: string
}

const STRIDE = 4
const MIN_SLOTS = 1 << 12

function slotOf(clientKey: number, ports: number, meta: number, mask: number): number {
  let h = Math.imul(clientKey ^ Math.imul(ports, 0x9e3779b1), 0x85ebca6b)
  h = Math.imul(h ^ meta ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) & mask
}

export class FlowTable<T extends TableEntry> {
  /** per slot: clientKey, ports, meta, index into `items` + 1 (0 = empty) */
  private index = new Int32Array(MIN_SLOTS * STRIDE)
  private mask = MIN_SLOTS - 1
  /** the flows, in the order they were added (compacted by retain) */
  private items: T[] = []

  get size(): number {
    return this.items.length
  }

  find(clientKey: number, ports: number, meta: number, client: string): T | undefined {
    const ix = this.index
    const mask = this.mask
    for (let s = slotOf(clientKey, ports, meta, mask); ; s = (s + 1) & mask) {
      const i = s * STRIDE
      const at = ix[i + 3]!
      if (at === 0) return undefined
      if (ix[i] === clientKey && ix[i + 1] === ports && ix[i + 2] === meta) {
        const item = this.items[at - 1]!
        if (item.client === client) return item
      }
    }
  }

  /** Adds a flow that find() did not find. */
  add(item: T): void {
    this.items.push(item)
    if (this.items.length * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2)
    else this.place(item, this.items.length)
  }

  /** Keeps the flows `keep` says yes to (in order) and rebuilds the index for them. */
  retain(keep: (item: T) => boolean): void {
    const items = this.items
    const before = items.length
    let n = 0
    for (let i = 0; i < before; i++) {
      const item = items[i]!
      if (keep(item)) items[n++] = item
    }
    if (n === before) return
    items.length = n
    let slots = this.mask + 1
    while (slots > MIN_SLOTS && this.items.length * 8 < slots) slots >>= 1
    this.rebuild(slots)
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]()
  }

  private rebuild(slots: number): void {
    if (slots !== this.mask + 1) {
      this.index = new Int32Array(slots * STRIDE)
      this.mask = slots - 1
    } else {
      this.index.fill(0)
    }
    const items = this.items
    for (let n = 0; n < items.length; n++) this.place(items[n]!, n + 1)
  }

  private place(item: T, at: number): void {
    const ix = this.index
    const mask = this.mask
    let s = slotOf(item.clientKey, item.ports, item.meta, mask)
    while (ix[s * STRIDE + 3] !== 0) s = (s + 1) & mask
    const i = s * STRIDE
    ix[i] = item.clientKey
    ix[i + 1] = item.ports
    ix[i + 2] = item.meta
    ix[i + 3] = at
  }
}
