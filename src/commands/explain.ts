import {createRequire} from 'node:module'
import {FINDING_KINDS, type FindingKind} from '../checks/types.js'
import {DrcheckError} from '../lib/errors.js'
import {explainText, remedyFor} from '../report/remedies.js'

// oclif by subpath and with require: start-up (see bin/run.js)
const require = createRequire(import.meta.url)
const Args = require('@oclif/core/args') as typeof import('@oclif/core/args')
const {Command} = require('@oclif/core/command') as typeof import('@oclif/core/command')
const Flags = require('@oclif/core/flags') as typeof import('@oclif/core/flags')

export default class Explain extends Command {
  static override summary = 'Explain a finding kind and give the usual remedy.'
  static override description = `Every finding in a report has a kind (wrong-source, real-server-answers, slow-takeover …). This prints what it means, why it happens in an LVS-DR + keepalived setup and the usual fix: the sysctls and where they must be set, binding the service to the VIP, the proxies' gateway, garp settings, the firewall rule for VRRP. Without KIND (or with --list) it lists every kind.`
  static override examples = [
    {description: 'On call: the report says real-server-answers', command: '<%= config.bin %> <%= command.id %> real-server-answers'},
    {description: 'Every kind, one line each (for a runbook or a CI log)', command: '<%= config.bin %> <%= command.id %> --list'},
  ]
  static override args = {
    kind: Args.string({description: 'a finding kind, as in the report (e.g. wrong-source)', required: false}),
  }
  static override flags = {
    list: Flags.boolean({description: 'list every finding kind with its one-line meaning'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Explain)
    if (flags.list || !args.kind) {
      const w = Math.max(...FINDING_KINDS.map((k) => k.length))
      for (const k of FINDING_KINDS) {
        const r = remedyFor(k)
        process.stdout.write(`${k.padEnd(w)}  ${r ? `${r.check.padEnd(8)} ${r.what}` : '(no explanation yet)'}\n`)
      }
      return
    }
    const kind = args.kind.trim().toLowerCase()
    if (!(FINDING_KINDS as readonly string[]).includes(kind) || !remedyFor(kind)) {
      const near = FINDING_KINDS.filter((k) => k.includes(kind) || kind.includes(k))
      throw new DrcheckError(`${args.kind}: not a finding kind${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; drcheck explain --list shows them all`)
    }
    process.stdout.write(explainText(kind as FindingKind))
  }

  protected override async catch(err: Error & {code?: string}): Promise<unknown> {
    if (err.code === 'EEXIT') throw err
    process.stderr.write(`drcheck: ${(err.message || String(err)).split('\n').map((l) => l.trim()).find(Boolean)}\n`)
    this.exit(3)
  }
}
