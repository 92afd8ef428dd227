// Parsing what the user typed into checked values. Every failure is a one-line DrcheckError.

import {createRequire} from 'node:module'
import type Ipaddr from 'ipaddr.js'
import {DrcheckError} from './errors.js'

let ipaddrModule: typeof Ipaddr | undefined
/** ipaddr.js, loaded when the first address is parsed (a run without --vip needs none: start-up). */
function ipaddr(): typeof Ipaddr {
  return ipaddrModule ??= createRequire(import.meta.url)('ipaddr.js') as typeof Ipaddr
}

/** An IPv4/IPv6 address in the canonical form of decode/events.ts. */
export function canonicalIp(text: string, flag = '--vip'): string {
  const t = text.trim().replace(/^\[|\]$/g, '').replace(/\/(32|128)$/, '')
  // A zone (fe80::1%eth0) names the interface, not the address: the wire carries fe80::1. Strip it
  // for link-local addresses (the only ones that have a zone); anywhere else it is a mistake.
  const zone = /^([0-9a-fA-F:.]+)%[\w.-]+$/.exec(t)
  if (zone) {
    if (!/^fe[89ab]/i.test(zone[1]!)) throw new DrcheckError(`${flag} ${text}: only link-local IPv6 addresses (fe80::/10) take a %zone`)
    return canonicalIp(zone[1]!, flag)
  }
  const ip = ipaddr()
  if (!ip.isValid(t)) throw new DrcheckError(`${flag} ${text}: not an IPv4 or IPv6 address`)
  const a = ip.parse(t)
  if (a.kind() === 'ipv6') {
    const v6 = a as Ipaddr.IPv6
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString()
    return v6.toRFC5952String()
  }
  if (!ip.IPv4.isValidFourPartDecimal(t)) throw new DrcheckError(`${flag} ${text}: write IPv4 addresses as four decimal parts (a.b.c.d)`)
  return a.toString()
}

export function canonicalMac(text: string, flag: string): string {
  const t = text.trim().toLowerCase().replace(/-/g, ':')
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(t)) throw new DrcheckError(`${flag} ${text}: not a MAC address (want 02:00:00:00:00:21)`)
  return t
}

/** "30s", "2m", "500ms", "1h", "10" (seconds) → seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (!m) throw new DrcheckError(`${flag} ${text}: not a duration (examples: 30s, 2m, 500ms)`)
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  const s = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n
  if (!(s > 0) || !Number.isFinite(s)) throw new DrcheckError(`${flag} ${text}: must be greater than zero`)
  return s
}

/** "25%+100ms", "25%", "200ms", "0" → {pct, ms}. */
export function parseTolerance(text: string): {pct: number, ms: number} {
  let pct = 0, ms = 0
  const t = text.replace(/\s+/g, '')
  if (t === '0') return {pct, ms}
  for (const part of t.split('+')) {
    let m: RegExpExecArray | null
    if ((m = /^(\d+(?:\.\d+)?)%$/.exec(part))) pct = Number(m[1])
    else if ((m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(part))) ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1)
    else throw new DrcheckError(`--tolerance ${text}: want a percentage and/or a time, e.g. 25%+100ms`)
  }
  return {pct, ms}
}

/** "3/60s": more than 3 transitions within 60 s is flapping. */
export function parseFlap(text: string): {count: number, windowS: number} {
  const m = /^(\d+)\/(.+)$/.exec(text.trim())
  if (!m) throw new DrcheckError(`--flapping ${text}: want COUNT/WINDOW, e.g. 3/60s`)
  try {
    return {count: Number(m[1]), windowS: parseDuration(m[2], '--flapping')}
  } catch (error) {
    // name the value as typed ("10/0s"), not only its window
    const why = (error as Error).message.replace(/^--flapping \S+: /, '').replace(/^not /, 'is not ')
    throw new DrcheckError(`--flapping ${text}: the window ${why}`)
  }
}
