import {CheckCommand} from '../lib/base-command.js'
import type {CheckName} from '../checks/types.js'

export default class Failover extends CheckCommand {
  static override summary = 'Check that a VRRP master change completes, and time each stage against the VRRP bound.'
  static override description = `Per VRID and family: takeover (old master's last or priority-0 advert → new master's first advert;
bound = 3 × interval + skew, or the skew alone after a priority-0 advert; fails beyond --tolerance), announce
(first advert → gratuitous ARP / unsolicited NA for each VIP; fails when never sent), resume (first advert →
first reply from the VIP). Also fails on split-brain, vrid-collision, flapping, stale-owner and no-takeover.
No transition in the capture: inconclusive, with the current master, priority and interval.
Exit status: 0 pass, 1 fail, 2 inconclusive, 3 error.`
  static override examples = [
    {description: 'Replay a capture taken across a failover', command: '<%= config.bin %> <%= command.id %> -r failover.pcapng'},
    {description: 'Watch live while someone stops keepalived on the master', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 30s'},
  ]
  protected readonly checks: CheckName[] = ['failover']
}
