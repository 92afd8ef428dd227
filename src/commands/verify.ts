import {CheckCommand} from '../lib/base-command.js'
import type {CheckName} from '../checks/types.js'

export default class Verify extends CheckCommand {
  static override summary = 'Run all three checks (source, arp, failover) on a capture file or a live interface.'
  static override description = `Verdict: fail if any check fails; pass if none fails and at least one passes; inconclusive otherwise.

Exit status: 0 pass, 1 fail, 2 inconclusive, 3 error (bad usage, unreadable input, capture could not start).`
  static override examples = [
    {description: 'On call, on a proxy: capture 30 s of live traffic', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 30s'},
    {description: 'Replay captures taken on the LAN and on a load balancer', command: '<%= config.bin %> <%= command.id %> -r lan.pcapng -r lb1.pcap'},
    {description: 'In a deploy pipeline: JSON out, every check must decide', command: '<%= config.bin %> <%= command.id %> -r smoke.pcap --vip 198.51.100.10 --require all --json'},
    {description: 'On call, as a Nagios/Icinga plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 20s --vip 198.51.100.10 --nagios'},
    {description: 'CI: JUnit XML per capture point, evidence pcaps as build artefacts', command: '<%= config.bin %> <%= command.id %> -r lan.pcapng -r lb1.pcap --junit drcheck.xml --evidence evidence/'},
  ]
  protected readonly checks: CheckName[] = ['source', 'arp', 'failover']
}
