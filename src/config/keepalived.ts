// keepalived.conf import: what the checks can expect from the configuration of the LBs.
// Reads vrrp_instance blocks (VIPs, VRIDs, intervals, priorities, versions, use_vmac, unicast peers,
// authentication) and virtual_server blocks (their real_server addresses: the proxies). Follows
// `include` with globs. Unknown keywords and blocks are skipped; a syntax error names file and line.

import {readdirSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import ipaddr from 'ipaddr.js'
import {DrcheckError} from '../lib/errors.js'
import {readConfigText} from './read-text.js'

export interface VrrpInstanceConf {
  name: string
  file: string
  line: number
  interface: string | null
  vrid: number | null
  /** the instance's priority (the last value read; conditional `@id` lines add alternatives) */
  priority: number | null
  /** every priority written for the instance, conditional alternatives included */
  priorities: number[]
  /** advert_int in seconds (keepalived default 1) */
  advertIntS: number
  /** 2 or 3 (instance `version`, else global_defs `vrrp_version`, else 2) */
  version: 2 | 3
  useVmac: boolean
  unicastSrcIp: string | null
  unicastPeers: string[]
  authType: 'PASS' | 'AH' | null
  authPass: string | null
  /** virtual_ipaddress (canonical addresses, without prefix length) */
  vips: string[]
  /** virtual_ipaddress_excluded */
  vipsExcluded: string[]
}

export interface RealServerConf {ip: string, port: number | null}

export interface VirtualServerConf {
  file: string
  line: number
  /** the VIP ('' for fwmark / group) */
  vip: string
  port: number | null
  protocol: string | null
  lbKind: string | null
  realServers: RealServerConf[]
}

export interface KeepalivedConf {
  files: string[]
  instances: VrrpInstanceConf[]
  virtualServers: VirtualServerConf[]
}

interface Token {text: string, file: string, line: number}
/** A statement: keyword + arguments on one line, and its block when followed by `{ … }`. */
interface Stmt {words: Token[], block: Stmt[] | null}

const MAX_INCLUDE_DEPTH = 16

/** Canonical address of a keepalived address word ("198.51.100.10/32", "2001:db8::10/128"); null when not one. */
export function addrOf(word: string): string | null {
  const t = word.replace(/\/\d+$/, '').replace(/^\[|\]$/g, '')
  if (!ipaddr.isValid(t)) return null
  const a = ipaddr.parse(t)
  if (a.kind() === 'ipv6') return (a as ipaddr.IPv6).toRFC5952String()
  if (!ipaddr.IPv4.isValidFourPartDecimal(t)) return null
  return a.toString()
}

function expandGlob(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern]
  // glob one path component at a time
  const parts = pattern.split('/')
  let bases = [pattern.startsWith('/') ? '/' : '.']
  for (const [i, part] of parts.entries()) {
    if (part === '' && i === 0) continue
    if (part === '') continue
    const next: string[] = []
    if (!/[*?[]/.test(part)) {
      for (const b of bases) next.push(join(b, part))
    } else {
      const re = new RegExp('^' + part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$')
      for (const b of bases) {
        let names: string[] = []
        try { names = readdirSync(b) } catch { continue }
        for (const n of names.sort()) if (re.test(n) && !n.startsWith('.')) next.push(join(b, n))
      }
    }
    bases = next
  }
  return bases.filter((p) => { try { return statSync(p).isFile() } catch { return false } })
}

/** Lines → tokens with file/line, following `include`. Comments: `#` and `!` to the end of the line. */
function tokenize(path: string, label: string, depth: number, files: string[], out: Token[][], vars: Map<string, string>): void {
  if (depth > MAX_INCLUDE_DEPTH) throw new DrcheckError(`${path}: include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`)
  // a regular file under the size limit only (not a FIFO, /dev/zero …), the top-level file and every include alike
  const text = readConfigText(path, label)
  if (text.includes('\0')) throw new DrcheckError(`${path}: not a text file (keepalived.conf expected)`)
  files.push(path)
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]
    const lineNo = i + 1
    // continuation lines (used by $VAR definitions)
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = raw.slice(0, -1) + ' ' + lines[++i]
    const words: string[] = []
    const re = /"([^"]*)"|(\S+)/g
    let m: RegExpExecArray | null
    while ((m = re.exec(raw))) {
      const w = m[1] ?? m[2]
      if (m[2] && (w.startsWith('#') || w.startsWith('!'))) break
      words.push(w)
    }
    if (words.length === 0) continue
    // conditional configuration (`@id` / `@^id`): every alternative is read (see README)
    if (words[0].startsWith('@')) words.shift()
    if (words.length === 0) continue
    // parameter definitions `$NAME=value` and substitutions `$NAME` / `${NAME}`
    const def = /^\$([A-Za-z_]\w*)=(.*)$/.exec(raw.trim())
    if (def) { vars.set(def[1], def[2].trim()); continue }
    const subst = words.flatMap((w) => {
      const s = w.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (all, n: string) => vars.get(n) ?? all)
      return s === w ? [w] : s.split(/\s+/).filter(Boolean)
    })
    if (subst[0] === 'include') {
      if (subst.length < 2) throw new DrcheckError(`${path}:${lineNo}: include without a file name`)
      const pat = isAbsolute(subst[1]) ? subst[1] : resolve(dirname(path), subst[1])
      if (depth + 1 > MAX_INCLUDE_DEPTH) throw new DrcheckError(`${path}:${lineNo}: include nested more than ${MAX_INCLUDE_DEPTH} deep (an include loop?)`)
      for (const f of expandGlob(pat)) tokenize(f, `${path}:${lineNo}: include ${f}`, depth + 1, files, out, vars)
      continue
    }
    // split braces glued to words ("{", "}", "name{")
    const toks: Token[] = []
    for (const w of subst) {
      for (const piece of w.split(/([{}])/)) if (piece) toks.push({text: piece, file: path, line: lineNo})
    }
    out.push(toks)
  }
}

/** Tokens (per line) → statements with nested blocks. */
function parseStmts(lines: Token[][], firstFile: string): Stmt[] {
  const stack: Stmt[][] = [[]]
  const openers: Token[] = []
  let last: Stmt | null = null
  for (const toks of lines) {
    let words: Token[] = []
    const flush = () => {
      if (words.length) { last = {words, block: null}; stack[stack.length - 1].push(last); words = [] }
    }
    for (const t of toks) {
      if (t.text === '{') {
        flush()
        if (!last || (last as Stmt).block) throw new DrcheckError(`${t.file}:${t.line}: syntax error: "{" without a keyword before it`)
        const blk: Stmt[] = [];
        (last as Stmt).block = blk
        stack.push(blk)
        openers.push(t)
        last = null
      } else if (t.text === '}') {
        flush()
        if (stack.length === 1) throw new DrcheckError(`${t.file}:${t.line}: syntax error: "}" without a matching "{"`)
        stack.pop()
        openers.pop()
        last = null
      } else {
        words.push(t)
      }
    }
    flush()
  }
  if (stack.length > 1) {
    const o = openers[openers.length - 1]
    throw new DrcheckError(`${o.file}:${o.line}: syntax error: "{" is never closed`)
  }
  void firstFile
  return stack[0]
}

function num(t: Token | undefined, what: string, min: number, max: number): number {
  if (!t) throw new DrcheckError(`syntax error: ${what} without a value`)
  const n = Number(t.text)
  if (!Number.isFinite(n) || n < min || n > max) throw new DrcheckError(`${t.file}:${t.line}: ${what} ${t.text}: want a number from ${min} to ${max}`)
  return n
}

function addrList(block: Stmt[] | null): string[] {
  const out: string[] = []
  for (const s of block ?? []) {
    const a = addrOf(s.words[0].text)
    if (a && !out.includes(a)) out.push(a)
  }
  return out
}

function readInstance(s: Stmt, globalVersion: 2 | 3): VrrpInstanceConf {
  const head = s.words[0]
  const inst: VrrpInstanceConf = {
    name: s.words[1]?.text ?? '', file: head.file, line: head.line, interface: null, vrid: null, priority: null, priorities: [],
    advertIntS: 1, version: globalVersion, useVmac: false, unicastSrcIp: null, unicastPeers: [], authType: null, authPass: null,
    vips: [], vipsExcluded: [],
  }
  for (const st of s.block ?? []) {
    const [kw, a1] = st.words
    switch (kw.text) {
      case 'interface': inst.interface = a1?.text ?? null; break
      case 'virtual_router_id': inst.vrid = num(a1, 'virtual_router_id', 1, 255); break
      case 'priority': { const p = num(a1, 'priority', 1, 255); inst.priority = p; if (!inst.priorities.includes(p)) inst.priorities.push(p); break }
      case 'advert_int': inst.advertIntS = num(a1, 'advert_int', 0.01, 255); break
      case 'version': case 'vrrp_version': inst.version = num(a1, kw.text, 2, 3) as 2 | 3; break
      case 'use_vmac': inst.useVmac = true; break
      case 'unicast_src_ip': inst.unicastSrcIp = a1 ? addrOf(a1.text) : null; break
      case 'unicast_peer': for (const p of st.block ?? []) { const a = addrOf(p.words[0].text); if (a) inst.unicastPeers.push(a) } break
      case 'authentication':
        for (const p of st.block ?? []) {
          if (p.words[0].text === 'auth_type') inst.authType = p.words[1]?.text === 'AH' ? 'AH' : 'PASS'
          if (p.words[0].text === 'auth_pass') inst.authPass = p.words[1]?.text ?? ''
        }
        break
      case 'virtual_ipaddress': for (const a of addrList(st.block)) if (!inst.vips.includes(a)) inst.vips.push(a); break
      case 'virtual_ipaddress_excluded': for (const a of addrList(st.block)) if (!inst.vipsExcluded.includes(a)) inst.vipsExcluded.push(a); break
      default: break
    }
  }
  return inst
}

function readVirtualServer(s: Stmt): VirtualServerConf {
  const head = s.words[0]
  const args = s.words.slice(1).map((w) => w.text)
  const vs: VirtualServerConf = {file: head.file, line: head.line, vip: '', port: null, protocol: null, lbKind: null, realServers: []}
  if (args[0] !== 'fwmark' && args[0] !== 'group') {
    vs.vip = addrOf(args[0] ?? '') ?? ''
    vs.port = args[1] !== undefined && /^\d+$/.test(args[1]) ? Number(args[1]) : null
  }
  for (const st of s.block ?? []) {
    const kw = st.words[0].text
    if (kw === 'lb_kind' || kw === 'lvs_method') vs.lbKind = st.words[1]?.text.toUpperCase() ?? null
    if (kw === 'protocol') vs.protocol = st.words[1]?.text.toUpperCase() ?? null
    if (kw === 'real_server') {
      const ip = addrOf(st.words[1]?.text ?? '')
      if (!ip) throw new DrcheckError(`${st.words[0].file}:${st.words[0].line}: real_server ${st.words[1]?.text ?? ''}: not an IP address`)
      const p = st.words[2]?.text
      vs.realServers.push({ip, port: p !== undefined && /^\d+$/.test(p) ? Number(p) : null})
    }
  }
  return vs
}

/** Read one keepalived.conf (and what it includes). */
export function readKeepalivedConf(path: string): KeepalivedConf {
  const files: string[] = []
  const lines: Token[][] = []
  tokenize(path, `--keepalived-conf ${path}`, 0, files, lines, new Map())
  const stmts = parseStmts(lines, path)
  let globalVersion: 2 | 3 = 2
  for (const s of stmts) {
    if (s.words[0].text !== 'global_defs') continue
    for (const g of s.block ?? []) if (g.words[0].text === 'vrrp_version') globalVersion = num(g.words[1], 'vrrp_version', 2, 3) as 2 | 3
  }
  const conf: KeepalivedConf = {files, instances: [], virtualServers: []}
  for (const s of stmts) {
    const kw = s.words[0].text
    if (kw === 'vrrp_instance') {
      if (!s.block) throw new DrcheckError(`${s.words[0].file}:${s.words[0].line}: syntax error: vrrp_instance without a "{ … }" block`)
      conf.instances.push(readInstance(s, globalVersion))
    } else if (kw === 'virtual_server') {
      if (!s.block) throw new DrcheckError(`${s.words[0].file}:${s.words[0].line}: syntax error: virtual_server without a "{ … }" block`)
      conf.virtualServers.push(readVirtualServer(s))
    }
  }
  return conf
}

/** What several keepalived.conf files (the LBs of one pair) tell the checks. */
export interface ConfExpectations {
  vips: string[]
  /** per "vrid/family": what the instances configure */
  vrids: Map<string, {vrid: number, family: 'ipv4' | 'ipv6', advertIntS: number[], priorities: number[], versions: number[], vips: string[], useVmac: boolean, where: string}>
  /** real servers of DR virtual servers: the proxies' own addresses */
  proxyIps: string[]
  /** unicast_src_ip / unicast_peer: the LBs' own addresses */
  lbIps: string[]
}

export function expectationsOf(confs: KeepalivedConf[]): ConfExpectations {
  const out: ConfExpectations = {vips: [], vrids: new Map(), proxyIps: [], lbIps: []}
  const add = (list: string[], v: string | null) => { if (v && !list.includes(v)) list.push(v) }
  for (const c of confs) {
    for (const i of c.instances) {
      for (const v of [...i.vips, ...i.vipsExcluded]) add(out.vips, v)
      add(out.lbIps, i.unicastSrcIp)
      for (const p of i.unicastPeers) add(out.lbIps, p)
      if (i.vrid === null) continue
      const all = [...i.vips, ...i.vipsExcluded]
      // the family of the adverts: of the first virtual_ipaddress (keepalived's rule), else IPv4
      const family: 'ipv4' | 'ipv6' = (i.vips[0] ?? all[0] ?? '').includes(':') ? 'ipv6' : 'ipv4'
      const key = `${i.vrid}/${family}`
      let e = out.vrids.get(key)
      if (!e) out.vrids.set(key, (e = {vrid: i.vrid, family, advertIntS: [], priorities: [], versions: [], vips: [], useVmac: false, where: `${i.file}:${i.line}`}))
      if (!e.advertIntS.includes(i.advertIntS)) e.advertIntS.push(i.advertIntS)
      for (const p of i.priorities) if (!e.priorities.includes(p)) e.priorities.push(p)
      if (!e.versions.includes(i.version)) e.versions.push(i.version)
      for (const v of i.vips) add(e.vips, v)
      e.useVmac ||= i.useVmac
    }
    for (const vs of c.virtualServers) {
      if (vs.lbKind !== 'DR') continue
      if (vs.vip) add(out.vips, vs.vip)
      for (const rs of vs.realServers) add(out.proxyIps, rs.ip)
    }
  }
  return out
}
