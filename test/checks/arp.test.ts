import {describe, expect, it} from 'vitest'
import {check, CLIENT, GW, LB1, LB2, RS1, Scenario, VIP, VIP6} from './scenario.js'

describe('arp check', () => {
  it('passes when only the VRRP master claims the VIP', () => {
    const r = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).arp(2.5, 2, LB1, VIP, '198.51.100.1').run(['arp'])
    expect(check(r, 'arp').verdict).toBe('pass')
  })

  it('is inconclusive when nobody claims the VIP', () => {
    const r = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).run(['arp'])
    expect(check(r, 'arp').verdict).toBe('inconclusive')
    expect(check(r, 'arp').missing).toMatch(/ARP/)
  })

  it('names a proxy that answers ARP for the VIP (real-server-answers), with its frame', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1)
    s.arp(2.5, 2, LB1, VIP, '198.51.100.1')
    s.arp(2.5001, 2, RS1, VIP, '198.51.100.1')
    const leakFrame = s.frame
    const c = check(s.run(['arp']), 'arp')
    expect(c.verdict).toBe('fail')
    const f = c.findings.find((x) => x.kind === 'real-server-answers')!
    expect(f.mac).toBe(RS1)
    expect(f.frame).toBe(leakFrame)
    expect(f.ip).toBe(VIP)
    expect(c.findings.some((x) => x.kind === 'conflict')).toBe(true)
  })

  it('calls a proxy that ARPs with the VIP as sender real-server-announces (declared by --proxy-mac)', () => {
    const s = new Scenario({proxyMacs: [RS1]}).adverts(0, 5, LB1, '198.51.100.2', 150).arp(3, 1, RS1, VIP, '198.51.100.1')
    const c = check(s.run(['arp']), 'arp')
    expect(c.verdict).toBe('fail')
    expect(c.findings.map((f) => f.kind)).toContain('real-server-announces')
  })

  it('flags a former master that still answers after a takeover (stale-owner), in arp and failover', () => {
    const s = new Scenario().adverts(0, 4, LB1, '198.51.100.2', 150).adverts(7.61, 12.61, LB2, '198.51.100.3', 100)
    s.arp(7.62, 1, LB2, VIP, VIP) // LB2's gratuitous ARP
    s.arp(10, 2, LB1, VIP, '198.51.100.1')
    const staleFrame = s.frame
    const r = s.run(['arp', 'failover'])
    const stale = check(r, 'arp').findings.find((f) => f.kind === 'stale-owner')!
    expect(stale.mac).toBe(LB1)
    expect(stale.frame).toBe(staleFrame)
    expect(check(r, 'failover').findings.map((f) => f.kind)).toContain('stale-owner')
  })

  it('judges IPv6 neighbour advertisements like ARP replies', () => {
    const s = new Scenario().adverts(0, 5, LB1, 'fe80::11', 150, 1, {family: 'ipv6', version: 3, vrid: 52, addrs: [VIP6]})
    s.na(1, LB1, VIP6, false).na(2, RS1, VIP6, true)
    const c = check(s.run(['arp']), 'arp')
    expect(c.verdict).toBe('fail')
    expect(c.findings.find((f) => f.kind === 'foreign-claim' || f.kind === 'conflict')?.ip).toBe(VIP6)
  })

  it('without VRRP, accepts the MAC given with --lb-mac and is inconclusive without it', () => {
    const base = () => new Scenario().arp(1, 2, LB1, VIP, '198.51.100.1')
    expect(check(base().run(['arp']), 'arp').verdict).toBe('inconclusive')
    expect(check(new Scenario({lbMacs: [LB1]}).arp(1, 2, LB1, VIP, '198.51.100.1').run(['arp']), 'arp').verdict).toBe('pass')
    void CLIENT; void GW
  })
})
