// From --inventory / --keepalived-conf / -r NAME=FILE to CheckOptions.

import type {CheckOptions, ExpectedVrid} from '../checks/context.js'
import {DrcheckError} from '../lib/errors.js'
import {readInventory, type Inventory} from './inventory.js'
import {expectationsOf, readKeepalivedConf, type KeepalivedConf} from './keepalived.js'

// -r: in inputs.ts (the commands import it without this module's parsers)
export {readInputs, splitReadArg} from './inputs.js'

export interface LoadedConfig {
  inventory: Inventory | null
  keepalived: KeepalivedConf[]
}

/** Read the files and merge what they say into the options (flags given by the user win for VIPs). */
export function applyConfig(options: CheckOptions, inventoryPath: string | undefined, confPaths: string[]): LoadedConfig {
  const inventory = inventoryPath ? readInventory(inventoryPath) : null
  const keepalived = confPaths.map((p) => readKeepalivedConf(p))
  if (!inventory && keepalived.length === 0) return {inventory, keepalived}
  const add = (list: string[], v: string) => { if (!list.includes(v)) list.push(v) }
  const lbMacs = [...options.lbMacs], proxyMacs = [...options.proxyMacs]
  const lbIps = [...(options.lbIps ?? [])], proxyIps = [...(options.proxyIps ?? [])]
  const vips: string[] = []
  const expected = new Map<string, ExpectedVrid>(options.expectedVrids ?? [])
  if (inventory) {
    for (const h of inventory.hosts) {
      if (h.role === 'lb') { h.macs.forEach((m) => add(lbMacs, m)); h.addresses.forEach((a) => add(lbIps, a)) }
      if (h.role === 'proxy') { h.macs.forEach((m) => add(proxyMacs, m)); h.addresses.forEach((a) => add(proxyIps, a)) }
    }
    for (const v of inventory.vips) {
      add(vips, v.address)
      if (v.vrid === null) continue
      const family = v.address.includes(':') ? 'ipv6' : 'ipv4'
      const key = `${v.vrid}/${family}`
      const e = expected.get(key) ?? {vrid: v.vrid, family, advertIntS: [], priorities: [], versions: [], vips: [], useVmac: false, where: inventory.file} as ExpectedVrid
      if (!e.vips.includes(v.address)) e.vips.push(v.address)
      expected.set(key, e)
    }
  }
  if (keepalived.length) {
    const ex = expectationsOf(keepalived)
    ex.vips.forEach((v) => add(vips, v))
    ex.lbIps.forEach((a) => add(lbIps, a))
    ex.proxyIps.forEach((a) => add(proxyIps, a))
    for (const [key, e] of ex.vrids) {
      const prev = expected.get(key)
      // keepalived.conf is the authority on a VRID's addresses; the inventory's are checked with vip-mismatch
      expected.set(key, {...e, vips: e.vips.length ? e.vips : prev?.vips ?? []})
    }
  }
  // an inventory that names an LB and a proxy by the same MAC is wrong, not a role to guess
  for (const m of lbMacs) if (proxyMacs.includes(m)) throw new DrcheckError(`${m} is declared both an LB and a proxy (inventory / --lb-mac / --proxy-mac)`)
  options.lbMacs = lbMacs
  options.proxyMacs = proxyMacs
  options.lbIps = lbIps
  options.proxyIps = proxyIps
  options.expectedVrids = expected
  if (inventory) options.hosts = inventory.hosts
  if (options.vipsLearnt && vips.length) {
    options.vips = vips
    options.vipsLearnt = false
  }
  return {inventory, keepalived}
}
