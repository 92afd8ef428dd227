import {createRequire} from 'node:module'
import {retainClosed} from '../capture/live.js'

const require = createRequire(import.meta.url)
// oclif by subpath and with require: start-up (see bin/run.js)
const {Command} = require('@oclif/core/command') as typeof import('@oclif/core/command')
const Flags = require('@oclif/core/flags') as typeof import('@oclif/core/flags')

interface Device {name: string, description?: string, addresses: {addr: string, netmask?: string}[], flags?: string}
interface CapModule {Cap: {new (): {open(d: string, f: string, n: number, b: Buffer): string, close(): void}, deviceList(): Device[]}}

export default class Interfaces extends Command {
  static override summary = 'List the interfaces drcheck can capture on, with their addresses and whether capture is permitted.'
  static override description = `Capture needs root, or CAP_NET_RAW and CAP_NET_ADMIN on the node binary (setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(command -v node)")"). Each interface is opened briefly (nothing is sent) to tell whether capture works: "yes", or the reason libpcap gave.

Exit status: 0, or 3 when libpcap cannot be loaded.`
  static override examples = [
    {description: 'On call: which interface carries the VIP traffic, and may I capture?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'In CI or a script: JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]
  static override flags = {
    json: Flags.boolean({description: 'print a JSON array: name, addresses, loopback, capture (true/false), reason'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Interfaces)
    let cap: CapModule
    try {
      cap = require('cap') as CapModule
    } catch (error) {
      process.stderr.write(`drcheck: libpcap unavailable: the cap module could not load (${(error as Error).message.split('\n')[0]}); install libpcap-dev and run npm ci\n`)
      return this.exit(3)
    }
    const rows = cap.Cap.deviceList().map((d) => {
      let capture = true
      let reason = ''
      const h = new cap.Cap()
      // every handle stays referenced until exit: the binding's destructor stops a poll handle
      // that a failed open() never initialised (segfault when the GC collects it)
      retainClosed([h])
      try {
        // a filter that matches nothing, a small buffer: opened and closed at once (closing a
        // handle whose open failed crashes the cap binding, so only an opened one is closed)
        h.open(d.name, 'less 1', 65536, Buffer.alloc(65536))
        h.close()
      } catch (error) {
        capture = false
        reason = (error as Error).message.split('\n')[0]
      }
      const flagsText = d.flags ?? ''
      return {name: d.name, addresses: d.addresses.map((a) => a.addr).filter(Boolean), loopback: /LOOPBACK/.test(flagsText), capture, reason: reason || undefined}
    })
    if (flags.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
      return
    }
    if (rows.length === 0) {
      process.stdout.write('no interfaces visible to libpcap (in a container or namespace without devices?)\n')
      return
    }
    const w = Math.max(9, ...rows.map((r) => r.name.length))
    process.stdout.write(`${'INTERFACE'.padEnd(w)}  CAPTURE  ADDRESSES\n`)
    for (const r of rows) {
      process.stdout.write(`${r.name.padEnd(w)}  ${(r.capture ? 'yes' : 'no').padEnd(7)}  ${r.addresses.join(', ') || '-'}${r.reason ? `  (${r.reason})` : ''}\n`)
    }
    if (rows.every((r) => !r.capture)) process.stdout.write('capture is not permitted: run as root, or give node CAP_NET_RAW and CAP_NET_ADMIN (see --help)\n')
  }
}
