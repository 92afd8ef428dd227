// The inventory (`--inventory FILE`, YAML subset or JSON): hosts with their role, MACs and
// addresses, and the VIPs with their VRIDs. Findings use the names; roles become declared LB /
// proxy MACs (and addresses, mapped to MACs through the ARP / ND seen in the capture).

import {DrcheckError} from '../lib/errors.js'
import {canonicalIp, canonicalMac} from '../lib/options.js'
import {readConfigText} from './read-text.js'
import {parseYamlLite, YamlError} from './yaml-lite.js'

export type Role = 'lb' | 'proxy' | 'gateway' | 'client' | 'other'
export const ROLES: readonly Role[] = ['lb', 'proxy', 'gateway', 'client', 'other']

export interface InventoryHost {
  name: string
  role: Role
  macs: string[]
  addresses: string[]
}

export interface InventoryVip {address: string, vrid: number | null}

export interface Inventory {
  file: string
  hosts: InventoryHost[]
  vips: InventoryVip[]
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return []
  return Array.isArray(v) ? v : [v]
}

export function parseInventory(text: string, file: string): Inventory {
  let doc: unknown
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{') || file.endsWith('.json')) {
    try { doc = JSON.parse(text) } catch (e) { throw new DrcheckError(`--inventory ${file}: not valid JSON (${(e as Error).message})`) }
  } else {
    try { doc = parseYamlLite(text) } catch (e) {
      if (e instanceof YamlError) throw new DrcheckError(`--inventory ${file}:${e.line}: ${e.message}`)
      throw e
    }
  }
  const bad = (msg: string): never => { throw new DrcheckError(`--inventory ${file}: ${msg}`) }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) bad('want a mapping with "hosts" (and "vips")')
  const d = doc as Record<string, unknown>
  const inv: Inventory = {file, hosts: [], vips: []}
  const names = new Set<string>()
  const macOwner = new Map<string, string>()
  for (const [i, h] of list(d.hosts).entries()) {
    if (!h || typeof h !== 'object' || Array.isArray(h)) bad(`hosts[${i}]: want a mapping (name, role, macs, addresses)`)
    const o = h as Record<string, unknown>
    const name = typeof o.name === 'string' || typeof o.name === 'number' ? String(o.name) : bad(`hosts[${i}]: a host needs a name`)
    if (names.has(name)) bad(`host ${name} is listed twice`)
    names.add(name)
    const role = (o.role === undefined ? 'other' : String(o.role).toLowerCase()) as Role
    if (!ROLES.includes(role)) bad(`host ${name}: role ${String(o.role)} is not one of ${ROLES.join(', ')}`)
    const macs = [...list(o.macs), ...list(o.mac)].map((m) => canonicalMac(String(m), `--inventory ${file}: host ${name}: MAC`))
    for (const m of macs) {
      if (macOwner.has(m) && macOwner.get(m) !== name) bad(`MAC ${m} belongs to both ${macOwner.get(m)} and ${name}`)
      macOwner.set(m, name)
    }
    const addresses = [...list(o.addresses), ...list(o.address)].map((a) => canonicalIp(String(a), `--inventory ${file}: host ${name}: address`))
    inv.hosts.push({name, role, macs, addresses})
  }
  for (const [i, v] of list(d.vips).entries()) {
    if (typeof v === 'string') { inv.vips.push({address: canonicalIp(v, `--inventory ${file}: vips[${i}]`), vrid: null}); continue }
    if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`vips[${i}]: want an address or {address, vrid}`)
    const o = v as Record<string, unknown>
    if (o.address === undefined) bad(`vips[${i}]: no address`)
    const vrid = o.vrid === undefined || o.vrid === null ? null : Number(o.vrid)
    if (vrid !== null && !(Number.isInteger(vrid) && vrid >= 1 && vrid <= 255)) bad(`vips[${i}]: vrid ${String(o.vrid)}: want 1 to 255`)
    inv.vips.push({address: canonicalIp(String(o.address), `--inventory ${file}: vips[${i}]`), vrid})
  }
  if (inv.hosts.length === 0 && inv.vips.length === 0) bad('no hosts and no vips')
  return inv
}

export function readInventory(path: string): Inventory {
  return parseInventory(readConfigText(path, `--inventory ${path}`), path)
}
