// What keepalived.conf (or the inventory) configures against what the VRRP adverts on the wire say:
// a different advert_int, version, address list, VRID or an unconfigured priority is `config-mismatch`.

import type {Knowledge} from './context.js'
import {finding, where} from './evidence.js'
import type {CheckResult, Finding} from './types.js'

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

export function configMismatches(k: Knowledge): Finding[] {
  const exp = k.options.expectedVrids
  if (!exp || exp.size === 0) return []
  const out: Finding[] = []
  const seen = new Set<string>()
  const once = (key: string) => (seen.has(key) ? false : (seen.add(key), true))
  for (const list of k.tenures.values()) {
    for (const t of list) {
      if (t.priority === 0 && t.count <= 1) continue
      const e = exp.get(`${t.vrid}/${t.family}`)
      const at = where(k, t.first)
      const base = `VRID ${t.vrid} (${t.family}): ${t.srcIp}`
      if (!e) {
        // a VRID nobody configured, advertising configured VIPs
        for (const [, other] of exp) {
          const shared = t.addrs.filter((a) => other.vips.includes(a))
          if (shared.length && other.family === t.family && once(`vrid|${t.srcIp}|${t.vrid}`)) {
            out.push(finding(k, 'config-mismatch', 'fail', t.first, {mac: t.srcMac, ip: t.srcIp},
              `${base} advertises ${shared.join(', ')} at ${at}, which ${other.where} configures in VRID ${other.vrid}`))
          }
        }
        continue
      }
      const intS = t.intervalCs / 100
      if (e.advertIntS.length && !e.advertIntS.some((x) => Math.abs(x - intS) < 0.005) && once(`int|${t.srcIp}|${t.vrid}|${t.family}`)) {
        out.push(finding(k, 'config-mismatch', 'fail', t.first, {mac: t.srcMac, ip: t.srcIp},
          `${base} advertises every ${intS} s at ${at}, but ${e.where} configures advert_int ${e.advertIntS.join(' or ')} (the failover bound uses the configured value)`))
      }
      if (e.versions.length && !e.versions.includes(t.version) && once(`ver|${t.srcIp}|${t.vrid}|${t.family}`)) {
        out.push(finding(k, 'config-mismatch', 'fail', t.first, {mac: t.srcMac, ip: t.srcIp},
          `${base} sends VRRPv${t.version} at ${at}, but ${e.where} configures version ${e.versions.join(' or ')}`))
      }
      if (e.vips.length && t.addrs.length && !sameSet(t.addrs, e.vips) && once(`vips|${t.srcIp}|${t.vrid}|${t.family}`)) {
        out.push(finding(k, 'config-mismatch', 'fail', t.first, {mac: t.srcMac, ip: t.srcIp},
          `${base} advertises ${t.addrs.join(', ')} at ${at}, but ${e.where} configures ${e.vips.join(', ')}`))
      }
      if (e.priorities.length && t.priority > 0 && t.priority < 255 && !e.priorities.includes(t.priority) && once(`prio|${t.srcIp}|${t.vrid}|${t.family}|${t.priority}`)) {
        out.push(finding(k, 'config-mismatch', 'warn', t.first, {mac: t.srcMac, ip: t.srcIp},
          `${base} advertises priority ${t.priority} at ${at}; ${e.where} configures ${e.priorities.join(' / ')} (a tracked script or interface changed it, or another configuration runs)`))
      }
    }
  }
  return out
}

/** Add findings to a check's result; a fail finding makes it fail. */
export function addFindings(r: CheckResult, fs: Finding[], what: string): void {
  if (fs.length === 0) return
  for (const f of fs) r.findings.push(f)
  if (fs.some((f) => f.severity === 'fail') && r.verdict !== 'fail') {
    r.verdict = 'fail'
    r.summary = `${what}; ${r.summary}`
    delete r.missing
  }
}
