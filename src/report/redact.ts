// `--redact`: client addresses and MACs are replaced by pseudonyms in the Report before any
// renderer sees it, so every output (human, JSON, Nagios, JUnit) carries the same pseudonyms.
//
// Kept: addresses with a known role (Report.known: VIPs, VRRP routers, LB and proxy MACs, the
// proxies' gateway), the IP a proxy sent a wrong-source / reset / unreachable from (the proxy's
// own address), the VRRP virtual MACs and the broadcast / multicast MACs. Everything else that
// looks like an IPv4, IPv6 or MAC address, in any field or sentence, becomes `ipv4-xxxxxxxx`,
// `ipv6-xxxxxxxx` or `mac-xxxxxxxx`: 8 hex digits of HMAC-SHA256(salt, address). The same address
// gets the same pseudonym everywhere in one run; with the same --redact-salt, across runs.

import {createHmac, randomBytes} from 'node:crypto'
import ipaddr from 'ipaddr.js'
import type {Report} from '../lib/analyze.js'

const MAC_RE = /(?<![0-9A-Za-z:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?![0-9A-Za-z:])/g
const IPV4_RE = /(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z]|\.\d)/g
/** a run of hex digits and colons (an IPv6 address, maybe with ":port" glued on as in "2001:db8::100:60030") */
const IPV6_RE = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,5}:){2,8}(?:[0-9A-Fa-f]{1,5}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:])/g

function canonIp(s: string): string | null {
  if (!ipaddr.isValid(s)) return null
  const a = ipaddr.parse(s)
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String()
  }
  return ipaddr.IPv4.isValidFourPartDecimal(s) ? a.toString() : null
}

export class Redactor {
  private readonly keepIps: Set<string>
  private readonly keepMacs: Set<string>
  private readonly salt: string
  /** real → pseudonym, for the report's count line */
  readonly replaced = new Map<string, string>()

  constructor(known: {ips: string[], macs: string[]}, salt?: string) {
    this.salt = salt ?? randomBytes(16).toString('hex')
    this.keepIps = new Set(known.ips.map((i) => canonIp(i) ?? i))
    this.keepMacs = new Set(known.macs.map((m) => m.toLowerCase()))
  }

  keepIp(ip: string): void {
    const c = canonIp(ip)
    if (c) this.keepIps.add(c)
  }

  private pseudo(kind: string, canonical: string): string {
    const p = `${kind}-${createHmac('sha256', this.salt).update(`${kind}|${canonical}`).digest('hex').slice(0, 8)}`
    this.replaced.set(canonical, p)
    return p
  }

  mac(m: string): string {
    const c = m.toLowerCase()
    if (this.keepMacs.has(c)) return m
    // group (multicast/broadcast) MACs and the VRRP virtual MACs belong to no client
    if ((parseInt(c.slice(0, 2), 16) & 1) === 1 || /^00:00:5e:00:0[12]:/.test(c) || c === '00:00:00:00:00:00') return m
    return this.pseudo('mac', c)
  }

  ip(s: string): string {
    const c = canonIp(s)
    if (c === null) return s
    if (this.keepIps.has(c)) return s
    const a = ipaddr.parse(c)
    const range = a.range()
    // addresses that name nobody: unspecified, multicast, broadcast, loopback
    if (range === 'unspecified' || range === 'multicast' || range === 'broadcast' || range === 'loopback') return s
    return this.pseudo(a.kind() === 'ipv6' ? 'ipv6' : 'ipv4', c)
  }

  /** Every address-looking token in a sentence. MACs first (a MAC is not an IPv6 address, but close). */
  text(s: string): string {
    if (canonIp(s) !== null) return this.ip(s) // a field holding one address
    return s
      .replace(MAC_RE, (m) => this.mac(m))
      .replace(IPV4_RE, (m) => this.ip(m))
      .replace(IPV6_RE, (m) => {
        // a time of day (16:25:41) is not an address: IPv6 needs "::" or eight groups
        const groups = m.split(':').length
        if (!m.includes('::') && groups !== 8 && groups !== 9) return m
        const whole = canonIp(m)
        if (whole !== null && this.keepIps.has(whole)) return m
        // "client:port" as the messages write it: the address without its last group, if that
        // is an address and the last group is a decimal port
        const cut = m.lastIndexOf(':')
        const head = m.slice(0, cut)
        const tail = m.slice(cut + 1)
        if (/^\d{1,5}$/.test(tail) && !head.endsWith(':') && canonIp(head) !== null) return this.ip(head) + ':' + tail
        return whole !== null ? this.ip(m) : m
      })
  }

  /** A deep copy of any JSON-like value with every string (and object key) redacted. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[this.text(k)] = this.value(x)
      return out as T
    }
    return v
  }
}

/** The report with client addresses pseudonymised (see the header). The original is not changed. */
export function redactReport(r: Report, salt?: string): Report {
  const red = new Redactor(r.known ?? {ips: r.vips, macs: []}, salt)
  // the source address of a proxy's wrong reply is the proxy's own address, not a client's
  const known = new Set((r.known?.macs ?? []).map((m) => m.toLowerCase()))
  for (const c of r.checks) {
    for (const f of c.findings) {
      if (f.ip && f.mac && known.has(f.mac.toLowerCase()) && (f.kind === 'wrong-source' || f.kind === 'reset' || f.kind === 'unreachable')) red.keepIp(f.ip)
    }
  }
  const {known: k, ...rest} = r
  const out = red.value(rest) as Report
  if (k) out.known = k
  return out
}
