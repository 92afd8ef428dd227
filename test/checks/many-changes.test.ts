// A capture with hundreds of thousands of VRRP master changes (a pair flapping for days, or the
// synthetic 4 GiB capture of scripts/bigcapture.mjs) must be judged and reported without
// overflowing the call stack (push(...list) and Math.max(...list) did, past ~120,000 items) and
// without printing every transition in the human report.
import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import {nagiosLine} from '../../src/report/nagios.js'
import {renderHuman} from '../../src/report/human.js'
import {check, LB1, LB2, Scenario, VIP} from './scenario.js'

describe('150,000 master changes', () => {
  it('are all judged and counted; the human report shows 12 and says how many more', () => {
    const N = 150_000
    const s = new Scenario({vips: [VIP]})
    // LB1 and LB2 take turns: two adverts each (1 s apart), then silence until the other's
    // Master_Down_Interval (3 × 1 s + skew) has passed: a hard failover every 4.7 s
    for (let i = 0; i <= N; i++) {
      const t = i * 4.7
      const [mac, ip] = i % 2 === 0 ? [LB1, '198.51.100.2'] : [LB2, '198.51.100.3']
      s.vrrp(t, mac, ip, 100).vrrp(t + 1, mac, ip, 100)
      // the new master's gratuitous ARP, so the arp check judges claims against all those tenures
      if (i % 1000 === 0) s.arp(t + 0.001, 1, mac, VIP, VIP)
    }
    const r = s.run(['arp', 'failover'])
    const f = check(r, 'failover')
    expect(f.transitions).toHaveLength(N)
    expect(check(r, 'arp').verdict).toBe('pass')
    const human = renderHuman(r, new Chalk({level: 0}))
    expect(human.split('\n').filter((l) => l.includes('↪ VRID')).length).toBe(12)
    expect(human).toContain(`… ${N - 12} more transition(s) not shown`)
    expect(nagiosLine(r).line).toContain(`'transitions'=${N}`)
  }, 60_000)
})
