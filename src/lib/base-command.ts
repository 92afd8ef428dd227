// The shared part of `verify`, `source`, `arp` and `failover`: flags, inputs, output, exit status.
// Commands stay thin: they name their checks; the work is in lib/run.ts and the checks.

// Start-up: oclif by subpath and with require (see bin/run.js); what only some runs need is imported
// where it is used: live capture, --inventory / --keepalived-conf parsing, each output format.

import {createRequire} from 'node:module'
import {DEFAULT_OPTIONS, type CheckOptions} from '../checks/context.js'
import {CHECK_NAMES, exitCodeFor, type CheckName} from '../checks/types.js'
import {evidenceFilters, writeEvidence, type EvidenceEntry} from '../report/evidence.js'
import {writeFileSync} from 'node:fs'
import type {Report} from './analyze.js'
import {DrcheckError, guardStdout, writeStdout} from './errors.js'
import {canonicalIp, canonicalMac, parseDuration, parseFlap, parseTolerance} from './options.js'
import {applyRequire, replayFiles} from './run.js'
import {readInputs, splitReadArg} from '../config/inputs.js'

const require = createRequire(import.meta.url)
const {Command} = require('@oclif/core/command') as typeof import('@oclif/core/command')
const {ExitError} = require('@oclif/core/errors') as typeof import('@oclif/core/errors')
const Flags = require('@oclif/core/flags') as typeof import('@oclif/core/flags')
// oclif's Command rethrows stdout write errors from the stream's 'error' event (a stack trace, exit 1): see errors.ts
guardStdout()

export const checkFlags = {
  read: Flags.string({char: 'r', multiple: true, description: 'replay a pcap or pcapng file (repeatable: one file per capture point; NAME=FILE names the point, e.g. -r lb1=lb1.pcap)', helpGroup: 'INPUT'}),
  interface: Flags.string({char: 'i', multiple: true, description: 'capture live on this interface (repeatable; needs root or CAP_NET_RAW)', helpGroup: 'INPUT'}),
  duration: Flags.string({description: 'live: stop after this long (30s, 2m, 500ms); default: until Ctrl-C or --count', helpGroup: 'INPUT'}),
  count: Flags.integer({description: 'live: stop after this many packets', min: 1, helpGroup: 'INPUT'}),
  write: Flags.string({char: 'w', description: 'live: also save the packets to this pcap file (nanosecond; FILE.<iface>.pcap with several -i)', helpGroup: 'INPUT'}),
  vip: Flags.string({multiple: true, description: 'a VIP to check (repeatable, IPv4 or IPv6); default: learnt from VRRP adverts', helpGroup: 'EXPECT'}),
  'lb-mac': Flags.string({multiple: true, description: 'a load balancer MAC (repeatable); VRRP advertisers are LBs anyway', helpGroup: 'EXPECT'}),
  'proxy-mac': Flags.string({multiple: true, description: 'a proxy (real server) MAC (repeatable); senders of VIP replies are proxies anyway', helpGroup: 'EXPECT'}),
  inventory: Flags.string({description: 'hosts (name, role lb/proxy/gateway/client, MACs, addresses) and VIPs with VRIDs, YAML or JSON: findings name the hosts', helpGroup: 'EXPECT'}),
  'keepalived-conf': Flags.string({multiple: true, description: 'an LB\'s keepalived.conf (repeatable; follows include): VIPs, VRIDs, advert_int, priorities, DR real servers', helpGroup: 'EXPECT'}),
  'reply-timeout': Flags.string({description: 'a request without a reply for this long is unanswered', default: '3s', helpGroup: 'TUNING'}),
  'flow-idle': Flags.string({description: 'forget a flow idle this long (memory stays flat on long captures); default: reply timeout + 5 s', helpGroup: 'TUNING'}),
  tolerance: Flags.string({description: 'a takeover may exceed the VRRP bound by this much', default: '25%+100ms', helpGroup: 'TUNING'}),
  flapping: Flags.string({description: 'more than COUNT master changes of one VRID within WINDOW is flapping', default: '3/60s', helpGroup: 'TUNING'}),
  require: Flags.string({multiple: true, description: 'an inconclusive CHECK counts as fail (source, arp, failover, all)', helpGroup: 'OUTPUT'}),
  json: Flags.boolean({description: 'print one JSON document (names as in the spec)', helpGroup: 'OUTPUT'}),
  quiet: Flags.boolean({char: 'q', description: 'print only the verdict line', helpGroup: 'OUTPUT'}),
  nagios: Flags.boolean({description: 'print one Nagios plugin line with perfdata; exit 0 OK (pass), 1 WARNING (inconclusive), 2 CRITICAL (fail), 3 UNKNOWN (error)', helpGroup: 'OUTPUT', exclusive: ['json']}),
  junit: Flags.string({description: 'also write JUnit XML to FILE ("-": print it instead of the report): one test suite per input, one test case per check', helpGroup: 'OUTPUT'}),
  evidence: Flags.string({description: 'write a small pcap per input into DIR with only the frames the failing findings name (plus the VRRP frames around each transition)', helpGroup: 'OUTPUT'}),
  redact: Flags.boolean({description: 'replace client addresses and MACs (all but VIPs, LBs, proxies, gateway) by stable pseudonyms in every output', helpGroup: 'OUTPUT'}),
  'redact-salt': Flags.string({description: 'with --redact: the same salt gives the same pseudonyms across runs (default: random per run)', helpGroup: 'OUTPUT', dependsOn: ['redact']}),
  debug: Flags.boolean({description: 'show stack traces on errors', helpGroup: 'OUTPUT'}),
  probe: Flags.boolean({description: 'live: also ask: ARP who-has / NS for every VIP (count the responders) and a TCP SYN to VIP:port through every proxy MAC (never on by default)', helpGroup: 'ACTIVE'}),
  'probe-port': Flags.integer({multiple: true, min: 1, max: 65535, description: 'with --probe: the service port of the DR path SYN probe (repeatable; default 25)', helpGroup: 'ACTIVE'}),
  trigger: Flags.string({description: 'live, failover/verify: run this shell command after a baseline and time the master change it causes (takeover, announce, resume)', helpGroup: 'ACTIVE'}),
  baseline: Flags.string({description: 'with --trigger: capture this long before running the command (default: 3 advert intervals)', helpGroup: 'ACTIVE'}),
  'expect-within': Flags.string({description: 'with --trigger: a master change must start within this long after the command ended (default: the VRRP bound + tolerance)', helpGroup: 'ACTIVE'}),
}

/** The -w file of one interface (as live-run names it): FILE, or FILE.<iface>.pcap with several -i. */
function writePathFor(base: string, iface: string, several: boolean): string {
  if (!several) return base
  const dot = base.lastIndexOf('.')
  return dot > 0 ? `${base.slice(0, dot)}.${iface}${base.slice(dot)}` : `${base}.${iface}`
}

export abstract class CheckCommand extends Command {
  static override enableJsonFlag = false
  static override flags = checkFlags
  protected abstract readonly checks: CheckName[]

  async run(): Promise<void> {
    const {flags} = await this.parse(this.constructor as typeof CheckCommand)
    await this.runChecks(flags)
  }

  protected async runChecks(flags: Record<string, unknown>): Promise<void> {
    const f = flags as {
      read?: string[], interface?: string[], duration?: string, count?: number, write?: string, vip?: string[], 'lb-mac'?: string[],
      'proxy-mac'?: string[], 'reply-timeout': string, 'flow-idle'?: string, tolerance: string, flapping: string, require?: string[], json?: boolean, quiet?: boolean,
      nagios?: boolean, junit?: string, evidence?: string, redact?: boolean, 'redact-salt'?: string,
      probe?: boolean, 'probe-port'?: number[], trigger?: string, baseline?: string, 'expect-within'?: string,
      inventory?: string, 'keepalived-conf'?: string[],
    }
    const files = f.read ?? []
    const ifaces = f.interface ?? []
    if (files.length === 0 && ifaces.length === 0) throw new DrcheckError('nothing to check: give a capture file with -r FILE or an interface with -i IFACE')
    if (files.length > 0 && ifaces.length > 0) throw new DrcheckError('give either -r FILE or -i IFACE, not both')
    if (files.length > 0 && (f.duration || f.count || f.write)) throw new DrcheckError('--duration, --count and -w apply to live capture (-i), not to -r')
    if (files.length > 0 && (f.probe || f.trigger)) throw new DrcheckError('--probe and --trigger send packets or run a command while capturing: they need -i IFACE, not -r')
    if ((f['probe-port'] ?? []).length > 0 && !f.probe) throw new DrcheckError('--probe-port needs --probe')
    if ((f.baseline || f['expect-within']) && !f.trigger) throw new DrcheckError('--baseline and --expect-within need --trigger')
    if (f.trigger !== undefined && !this.checks.includes('failover')) throw new DrcheckError('--trigger times a failover: use it with failover or verify')
    if (f.trigger !== undefined && f.trigger.trim() === '') throw new DrcheckError('--trigger: empty command')
    for (const r of f.require ?? []) {
      if (r !== 'all' && !CHECK_NAMES.includes(r as CheckName)) throw new DrcheckError(`--require ${r}: not a check (source, arp, failover, all)`)
    }
    const vips = [...new Set((f.vip ?? []).map((v) => canonicalIp(v)))]
    const tol = parseTolerance(f.tolerance)
    const flap = parseFlap(f.flapping)
    const options: CheckOptions = {
      ...DEFAULT_OPTIONS,
      vips, vipsLearnt: vips.length === 0,
      lbMacs: (f['lb-mac'] ?? []).map((m) => canonicalMac(m, '--lb-mac')),
      proxyMacs: (f['proxy-mac'] ?? []).map((m) => canonicalMac(m, '--proxy-mac')),
      replyTimeoutS: parseDuration(f['reply-timeout'], '--reply-timeout'),
      flowIdleS: f['flow-idle'] ? parseDuration(f['flow-idle'], '--flow-idle') : 0,
      tolerancePct: tol.pct, toleranceMs: tol.ms,
      flapCount: flap.count, flapWindowS: flap.windowS,
    }
    if (f.inventory || (f['keepalived-conf'] ?? []).length > 0) {
      const {applyConfig} = await import('../config/load.js')
      applyConfig(options, f.inventory, f['keepalived-conf'] ?? [])
    }
    let report: Report
    if (files.length > 0) {
      const inputs = readInputs(files)
      report = replayFiles(inputs, options, this.checks)
    } else {
      const {captureLive} = await import('./live-run.js')
      report = await captureLive(ifaces, options, this.checks, {
        durationS: f.duration ? parseDuration(f.duration, '--duration') : undefined,
        probe: f.probe ? {ports: [...new Set(f['probe-port'] ?? [25])], windowS: 2} : undefined,
        trigger: f.trigger === undefined ? undefined : {command: f.trigger,
          baselineS: f.baseline ? parseDuration(f.baseline, '--baseline') : undefined,
          expectWithinS: f['expect-within'] ? parseDuration(f['expect-within'], '--expect-within') : undefined},
        count: f.count, write: f.write, json: f.json === true || f.nagios === true || f.junit === '-',
      })
    }
    report = applyRequire(report, f.require ?? [])
    await this.output(report, f, files, ifaces)
  }

  /** Evidence files, redaction, then one output format; the exit status (Nagios' with --nagios). */
  protected async output(report: Report, f: {json?: boolean, quiet?: boolean, nagios?: boolean, junit?: string, evidence?: string, redact?: boolean, 'redact-salt'?: string, write?: string},
    files: string[], ifaces: string[]): Promise<void> {
    let evidence: EvidenceEntry[]
    if (f.evidence) {
      const paths = new Map<string, string>(files.map((p) => { const s = splitReadArg(p); return [s.label, s.path] }))
      if (f.write) ifaces.forEach((name) => paths.set(name, writePathFor(f.write!, name, ifaces.length > 1)))
      evidence = writeEvidence(report, paths, f.evidence)
    } else {
      evidence = evidenceFilters(report)
    }
    const command = this.id ?? 'verify'
    const out = f.redact ? (await import('../report/redact.js')).redactReport(report, f['redact-salt']) : report
    if (f.junit) {
      const {junitXml} = await import('../report/junit.js')
      const xml = junitXml(out, command)
      if (f.junit === '-') {
        await writeStdout(xml)
        this.exit(exitCodeFor(report.verdict))
      }
      try {
        writeFileSync(f.junit, xml)
      } catch (e) {
        throw new DrcheckError(`--junit ${f.junit}: cannot write the file: ${(e as Error).message}`)
      }
    }
    if (f.nagios) {
      const {nagiosLine} = await import('../report/nagios.js')
      const {line, status} = nagiosLine(out, command)
      await writeStdout(line + '\n')
      this.exit(status)
    }
    if (f.json) {
      const {toJson} = await import('../report/json.js')
      await writeStdout(toJson(out, {evidence, redacted: f.redact}) + '\n')
    } else {
      const {renderHuman, makeChalk} = await import('../report/human.js')
      await writeStdout(renderHuman(out, await makeChalk(process.stdout), {quiet: f.quiet, command: this.id, evidence, redacted: f.redact}))
    }
    this.exit(exitCodeFor(report.verdict))
  }

  /** One line, exit 3, for everything that is not a verdict (oclif's own usage errors included). */
  protected override async catch(err: Error & {oclif?: {exit?: number}, code?: string}): Promise<unknown> {
    if (err instanceof ExitError || err.code === 'EEXIT') throw err
    const debug = process.argv.includes('--debug')
    const msg = (err.message || String(err)).split('\n').map((l) => l.trim()).filter(Boolean)
    const line = err instanceof DrcheckError ? msg[0] : msg.filter((l) => !/^See more help|^Flags:?$/.test(l)).join(' ')
    process.stderr.write(`drcheck: ${line}\n`)
    // a Nagios plugin's output is read from stdout: the check could not run → UNKNOWN (3)
    // (stdout itself may be what failed: then the one line above is all there is)
    if (process.argv.includes('--nagios')) await writeStdout((await import('../report/nagios.js')).nagiosError(line) + '\n').catch(() => {})
    if (debug && err.stack) process.stderr.write(err.stack + '\n')
    this.exit(3)
  }
}
