import {describe, expect, it} from 'vitest'
import {FlowTable, type TableEntry} from '../../src/checks/flow-table.js'

interface E extends TableEntry { id: number }
const e = (id: number, clientKey: number, ports: number, meta: number, client = `c${clientKey}`): E => ({id, clientKey, ports, meta, client})

describe('FlowTable', () => {
  it('finds what was added by all four keys and nothing else', () => {
    const t = new FlowTable<E>()
    t.add(e(1, 7, (40000 << 16) | 993, 6))
    t.add(e(2, 7, (40001 << 16) | 993, 6))
    t.add(e(3, 7, (40000 << 16) | 993, 17))
    t.add(e(4, 7, (40000 << 16) | 993, 256 + 6)) // the same flow seen at input 1
    expect(t.find(7, (40000 << 16) | 993, 6, 'c7')?.id).toBe(1)
    expect(t.find(7, (40001 << 16) | 993, 6, 'c7')?.id).toBe(2)
    expect(t.find(7, (40000 << 16) | 993, 17, 'c7')?.id).toBe(3)
    expect(t.find(7, (40000 << 16) | 993, 262, 'c7')?.id).toBe(4)
    expect(t.find(8, (40000 << 16) | 993, 6, 'c8')).toBeUndefined()
    expect(t.size).toBe(4)
  })

  it('two clients whose address keys collide stay apart (the address string decides)', () => {
    const t = new FlowTable<E>()
    t.add(e(1, 99, 5, 6, '203.0.113.1'))
    t.add(e(2, 99, 5, 6, '2001:db8::1'))
    expect(t.find(99, 5, 6, '203.0.113.1')?.id).toBe(1)
    expect(t.find(99, 5, 6, '2001:db8::1')?.id).toBe(2)
    expect(t.find(99, 5, 6, '198.51.100.9')).toBeUndefined()
  })

  it('grows past its first size, keeps order, and retain() drops, rebuilds and shrinks', () => {
    const t = new FlowTable<E>()
    const n = 100_000
    for (let i = 0; i < n; i++) t.add(e(i, i * 2654435761 >>> 2, (i & 0xffff) << 16 | 25, 6))
    expect(t.size).toBe(n)
    for (let i = 0; i < n; i += 997) expect(t.find(i * 2654435761 >>> 2, (i & 0xffff) << 16 | 25, 6, `c${i * 2654435761 >>> 2}`)?.id).toBe(i)
    t.retain((x) => x.id % 10 === 0)
    expect(t.size).toBe(n / 10)
    expect([...t].slice(0, 3).map((x) => x.id)).toEqual([0, 10, 20])
    for (let i = 0; i < n; i += 101) {
      const f = t.find(i * 2654435761 >>> 2, (i & 0xffff) << 16 | 25, 6, `c${i * 2654435761 >>> 2}`)
      expect(f?.id).toBe(i % 10 === 0 ? i : undefined)
    }
    t.retain(() => false)
    expect(t.size).toBe(0)
    expect(t.find(0, 25, 6, 'c0')).toBeUndefined()
  })
})
