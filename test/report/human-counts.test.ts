// The human report shows five findings per kind; the JSON lists twenty and then one info line
// `N more KIND findings not listed`. The human report's "… N more" must count both (it said 15
// more "all of them with --json" beside "12 more … not listed" for 32 findings).
import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'
import {renderHuman} from '../../src/report/human.js'
import {check, CLIENT, GW, LB1, RS1, Scenario, VIP} from '../checks/scenario.js'

describe('hidden findings are counted once', () => {
  it('32 wrong-source replies: 5 shown, "… 27 more"; the JSON has 20 and "12 more … not listed"', () => {
    const s = new Scenario({vips: [VIP]})
    s.vrrp(0, LB1, '198.51.100.2', 100)
    for (let i = 0; i < 32; i++) {
      const t = 0.5 + i * 0.01, port = 40000 + i
      s.pkt(t, GW, LB1, CLIENT, VIP, 17, port, 53)
      s.pkt(t + 0.0001, LB1, RS1, CLIENT, VIP, 17, port, 53)
      s.pkt(t + 0.001, RS1, GW, '198.51.100.21', CLIENT, 17, 53, port)
    }
    const r = s.run(['source'])
    const ws = check(r, 'source').findings.filter((f) => f.kind === 'wrong-source')
    expect(ws.filter((f) => f.severity === 'fail')).toHaveLength(20)
    expect(ws.find((f) => f.severity !== 'fail')?.message).toBe('12 more wrong-source findings not listed')
    const human = renderHuman(r, new Chalk({level: 0}))
    expect(human.split('\n').filter((l) => l.includes('✗ wrong-source'))).toHaveLength(5)
    expect(human).toContain('… 27 more wrong-source finding(s) (--json lists up to 20 of each kind)')
    expect(human).not.toContain('not listed')
  })
})
