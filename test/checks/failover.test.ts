import {describe, expect, it} from 'vitest'
import {check, LB1, LB2, Scenario, VIP} from './scenario.js'

// Expected values come from the VRRP arithmetic of the scenario (RFC 3768 / 5798):
// Master_Down_Interval = 3 × interval + (256 − priority)/256 s (v2).
describe('failover check', () => {
  it('times a hard takeover against 3 × 1 s + 156/256 s', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).adverts(7.61, 12.61, LB2, '198.51.100.3', 100)
    s.arp(7.6102, 1, LB2, VIP, VIP)
    const c = check(s.run(['failover']), 'failover')
    expect(c.verdict).toBe('pass')
    const t = c.transitions![0]
    expect(t.fromIp).toBe('198.51.100.2')
    expect(t.toIp).toBe('198.51.100.3')
    expect(t.takeoverMs).toBeCloseTo(3610, 0)
    expect(t.boundMs).toBeCloseTo(3000 + (156 / 256) * 1000, 0)
    expect(t.announceMs).toBeCloseTo(0.2, 1)
    expect(t.graceful).toBe(false)
  })

  it('after a priority-0 advert only the skew applies', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).vrrp(4.5, LB1, '198.51.100.2', 0)
      .adverts(4.5 + 0.61, 10, LB2, '198.51.100.3', 100).arp(5.12, 1, LB2, VIP, VIP)
    const t = check(s.run(['failover']), 'failover').transitions![0]
    expect(t.graceful).toBe(true)
    expect(t.takeoverMs).toBeCloseTo(610, 0)
    expect(t.boundMs).toBeCloseTo(609.4, 1)
  })

  it('fails a takeover beyond bound + tolerance (slow-takeover)', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).adverts(10, 14, LB2, '198.51.100.3', 100).arp(10.01, 1, LB2, VIP, VIP)
    const c = check(s.run(['failover']), 'failover')
    expect(c.verdict).toBe('fail')
    expect(c.findings.map((f) => f.kind)).toContain('slow-takeover')
  })

  it('fails when the new master never announces the VIP (not-announced)', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).adverts(7.61, 14, LB2, '198.51.100.3', 100)
    const c = check(s.run(['failover']), 'failover')
    expect(c.findings.find((f) => f.kind === 'not-announced')?.severity).toBe('fail')
    expect(c.verdict).toBe('fail')
  })

  it('fails on two masters advertising together for longer than one interval (split-brain)', () => {
    const s = new Scenario().adverts(0, 10, LB1, '198.51.100.2', 150).adverts(3, 10, LB2, '198.51.100.3', 100)
    const c = check(s.run(['failover']), 'failover')
    expect(c.findings.map((f) => f.kind)).toContain('split-brain')
  })

  it('fails on a VRID advertised with another address list (vrid-collision)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).adverts(0.5, 5.5, '02:00:00:00:00:99', '198.51.100.99', 50, 1, {addrs: ['198.51.100.99']})
    const c = check(s.run(['failover']), 'failover')
    expect(c.findings.map((f) => f.kind)).toContain('vrid-collision')
  })

  it('fails on more than 3 transitions within 60 s (flapping)', () => {
    const s = new Scenario()
    let t = 0
    for (let i = 0; i < 5; i++) {
      const [mac, ip, prio] = i % 2 === 0 ? [LB1, '198.51.100.2', 150] : [LB2, '198.51.100.3', 100]
      s.adverts(t, t + 2, mac as string, ip as string, prio as number)
      s.arp(t + 0.01, 1, mac as string, VIP, VIP)
      t += 2 + 0.9
    }
    const c = check(s.run(['failover']), 'failover')
    expect(c.findings.map((f) => f.kind)).toContain('flapping')
  })

  it('is inconclusive without a transition and still reports the master', () => {
    const c = check(new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).run(['failover']), 'failover')
    expect(c.verdict).toBe('inconclusive')
    const masters = (c.counts as {masters: {ip: string, priority: number, intervalMs: number}[]}).masters
    expect(masters[0]).toMatchObject({ip: '198.51.100.2', priority: 150, intervalMs: 1000})
  })

  it('fails when the master resigns and nobody takes over (no-takeover)', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).vrrp(4.5, LB1, '198.51.100.2', 0).arp(12, 1, '02:00:00:00:00:01', '198.51.100.1', '198.51.100.1')
    const c = check(s.run(['failover']), 'failover')
    expect(c.findings.map((f) => f.kind)).toContain('no-takeover')
  })
})
