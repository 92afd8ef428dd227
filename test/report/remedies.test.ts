// Every finding kind has an explanation and a remedy (a new kind without one fails here), and the
// remedies say what an LVS-DR operator must do (facts from the kernel's ip-sysctl.rst and
// keepalived.conf(5), not from drcheck).
import {describe, expect, it} from 'vitest'
import {FINDING_KINDS} from '../../src/checks/types.js'
import {explainText, remedyFor} from '../../src/report/remedies.js'

describe('remedies', () => {
  it('FINDING_KINDS is a non-empty list without duplicates', () => {
    expect(FINDING_KINDS.length).toBeGreaterThan(20)
    expect(new Set(FINDING_KINDS).size).toBe(FINDING_KINDS.length)
  })

  for (const kind of FINDING_KINDS) {
    it(`${kind} has an explanation and a fix`, () => {
      const r = remedyFor(kind)
      expect(r, `no entry for ${kind} in src/report/remedies.ts`).toBeDefined()
      expect(r!.what.length).toBeGreaterThan(10)
      expect(r!.why.length).toBeGreaterThan(10)
      expect(r!.fix.length).toBeGreaterThan(0)
      expect(['source', 'arp', 'failover', 'input']).toContain(r!.check)
      const text = explainText(kind)
      expect(text.startsWith(`${kind} (`)).toBe(true)
      expect(text).toMatch(/\nFix:\n/)
    })
  }

  it('the ARP remedy sets arp_ignore=1 and arp_announce=2 for all AND the LAN interface (the kernel takes the maximum)', () => {
    for (const kind of ['real-server-answers', 'real-server-announces'] as const) {
      const t = explainText(kind)
      expect(t).toMatch(/net\.ipv4\.conf\.all\.arp_ignore = 1/)
      expect(t).toMatch(/net\.ipv4\.conf\.eth0\.arp_ignore = 1/)
      expect(t).toMatch(/net\.ipv4\.conf\.all\.arp_announce = 2/)
      expect(t).toMatch(/net\.ipv4\.conf\.eth0\.arp_announce = 2/)
      expect(t).toMatch(/larger|maximum/)
    }
  })

  it('the named remedies: bind to the VIP, the proxies\' gateway, garp_master_refresh, protocol 112, VIP on lo, lb_kind DR', () => {
    expect(explainText('wrong-source')).toMatch(/[Bb]ind the service to the VIP/)
    expect(explainText('via-lb')).toMatch(/gateway of the proxies|default via/)
    expect(explainText('not-announced')).toMatch(/garp_master_refresh/)
    expect(explainText('split-brain')).toMatch(/protocol 112|-p 112|vrrp accept/)
    expect(explainText('unanswered')).toMatch(/dev lo/)
    expect(explainText('nat')).toMatch(/lb_kind DR/)
  })
})
