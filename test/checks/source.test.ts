import {describe, expect, it} from 'vitest'
import {check, CLIENT, GW, LB1, RS1, RS2, Scenario, VIP} from './scenario.js'

describe('source check', () => {
  it('passes when replies leave the proxies from the VIP to the gateway, with counts per proxy', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1).udpExchange(2, 40001, RS2).udpExchange(3, 40002, RS1)
    const c = check(s.run(['source']), 'source')
    expect(c.verdict).toBe('pass')
    expect((c.counts as {perProxy: Record<string, number>}).perProxy).toEqual({[RS1]: 2, [RS2]: 1})
  })

  it('names a reply from the proxy\'s own address (wrong-source)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1, '198.51.100.21')
    const c = check(s.run(['source']), 'source')
    expect(c.verdict).toBe('fail')
    const f = c.findings.find((x) => x.kind === 'wrong-source')!
    expect(f).toMatchObject({mac: RS1, ip: '198.51.100.21', frame: s.frame})
  })

  it('fails on replies sent to the LB\'s MAC (via-lb)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1, VIP, LB1, LB1)
    expect(check(s.run(['source']), 'source').findings.map((f) => f.kind)).toContain('via-lb')
  })

  it('fails on a SYN answered by RST (reset)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150)
    s.pkt(1, LB1, RS1, CLIENT, VIP, 6, 50000, 25, {tcpFlags: 0x02})
    s.pkt(1.001, RS1, GW, VIP, CLIENT, 6, 25, 50000, {tcpFlags: 0x14})
    expect(check(s.run(['source']), 'source').findings.map((f) => f.kind)).toContain('reset')
  })

  it('fails on requests that reach a proxy and are never answered while others are (unanswered)', () => {
    const s = new Scenario().adverts(0, 10, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1)
    s.pkt(2, GW, LB1, CLIENT, VIP, 17, 40005, 53).pkt(2.0001, LB1, RS2, CLIENT, VIP, 17, 40005, 53)
    const c = check(s.run(['source']), 'source')
    const f = c.findings.find((x) => x.kind === 'unanswered')!
    expect(f.mac).toBe(RS2)
  })

  it('flows that expire are forgotten and their memory reused, without touching an unanswered request\'s evidence', () => {
    // one answered exchange per second for 60 s (each flow idle after 4 s: swept and reused), and one
    // request at 10 s that reaches RS2 and is never answered
    const s = new Scenario({flowIdleS: 4}).adverts(0, 62, LB1, '198.51.100.2', 150)
    for (let i = 0; i < 60; i++) {
      s.udpExchange(1 + i, 40000 + i, RS1)
      if (i === 9) {
        s.pkt(10.5, LB1, RS2, CLIENT, VIP, 17, 41000, 53) // seen only on its way to RS2: one leg
        var lost = s.frame // eslint-disable-line no-var
      }
    }
    const c = check(s.run(['source']), 'source')
    expect(c.counts).toMatchObject({pairs: 60, perProxy: {[RS1]: 60}, unanswered: 1})
    const u = c.findings.filter((x) => x.kind === 'unanswered')
    expect(u).toHaveLength(1)
    expect(u[0]).toMatchObject({mac: RS2, frame: lost!})
    expect(u[0]!.message).toContain(`${CLIENT}:41000`)
  })

  it('a reply later than the reply timeout leaves its request unanswered, whatever --flow-idle is', () => {
    for (const flowIdleS of [0, 3, 60]) {
      const s = new Scenario({flowIdleS}).adverts(0, 12, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1)
      s.pkt(2, LB1, RS2, CLIENT, VIP, 17, 40005, 53)
      const lost = s.frame
      s.pkt(7, RS2, GW, VIP, CLIENT, 17, 53, 40005) // 5 s later; the timeout is 3 s
      s.pkt(8, LB1, RS1, CLIENT, VIP, 17, 40006, 53).pkt(10, RS1, GW, VIP, CLIENT, 17, 53, 40006) // 2 s: in time
      const c = check(s.run(['source']), 'source')
      const u = c.findings.filter((f) => f.kind === 'unanswered')
      expect(u.map((f) => [f.mac, f.frame]), `flow-idle ${flowIdleS}`).toEqual([[RS2, lost]])
    }
  })

  it('does not call a request unanswered when the capture ended before the timeout', () => {
    const s = new Scenario().adverts(0, 3, LB1, '198.51.100.2', 150).udpExchange(1, 40000, RS1)
    s.pkt(2.5, GW, LB1, CLIENT, VIP, 17, 40005, 53).pkt(2.5001, LB1, RS2, CLIENT, VIP, 17, 40005, 53)
    expect(check(s.run(['source']), 'source').verdict).toBe('pass')
  })

  it('on an LB\'s view (requests forwarded, no replies pass) passes on forwarding unchanged', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150)
    s.pkt(1, GW, LB1, CLIENT, VIP, 17, 40000, 53).pkt(1.0001, LB1, RS1, CLIENT, VIP, 17, 40000, 53)
    const c = check(s.run(['source']), 'source')
    expect(c.verdict).toBe('pass')
    expect(c.summary).toMatch(/forwarded unchanged/)
  })

  it('fails when the LB rewrites the destination IP (nat)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150)
    s.pkt(1, GW, LB1, CLIENT, VIP, 17, 40000, 53).pkt(1.0001, LB1, RS1, CLIENT, '198.51.100.21', 17, 40000, 53)
    expect(check(s.run(['source']), 'source').findings.map((f) => f.kind)).toContain('nat')
  })

  it('fails on ICMP unreachable for a VIP request (unreachable)', () => {
    const s = new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150)
    s.pkt(1, LB1, RS1, CLIENT, VIP, 17, 40000, 53)
    s.pkt(1.001, RS1, GW, '198.51.100.21', CLIENT, 1, 0, 0, {icmpType: 3, icmpCode: 3, quoted: {ipSrc: CLIENT, ipDst: VIP, proto: 17, sport: 40000, dport: 53}})
    expect(check(s.run(['source']), 'source').findings.map((f) => f.kind)).toContain('unreachable')
  })

  it('is inconclusive without any request to a VIP', () => {
    const c = check(new Scenario().adverts(0, 5, LB1, '198.51.100.2', 150).run(['source']), 'source')
    expect(c.verdict).toBe('inconclusive')
  })
})
