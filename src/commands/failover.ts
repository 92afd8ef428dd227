import {CheckCommand} from '../lib/base-command.js'
import type {CheckName} from '../checks/types.js'

export default class Failover extends CheckCommand {
  static override summary = 'Check that a VRRP master change completes, and time each stage against the VRRP bound.'
  static override description = `Per VRID and family: takeover (old master's last or priority-0 advert → new master's first advert; bound = 3 × interval + skew, or the skew alone after a priority-0 advert; fails beyond --tolerance), announce (first advert → gratuitous ARP / unsolicited NA for each VIP; fails when never sent), resume (first advert → first reply from the VIP). Also fails on split-brain, vrid-collision, flapping, stale-owner and no-takeover. No transition in the capture: inconclusive, with the current master, priority and interval.

Exit status: 0 pass, 1 fail, 2 inconclusive, 3 error.`
  static override examples = [
    {description: 'Replay a capture taken across a failover', command: '<%= config.bin %> <%= command.id %> -r failover.pcapng'},
    {description: 'Watch live while someone stops keepalived on the master', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 30s'},
    {description: 'On call, from Nagios/Icinga: one plugin line with takeover_ms perfdata', command: '<%= config.bin %> <%= command.id %> -r /var/tmp/last-failover.pcap --nagios'},
    {description: 'CI: JSON, a failover must be in the capture and within the bound', command: '<%= config.bin %> <%= command.id %> -r failover.pcapng --require failover --json'},
  ]
  protected readonly checks: CheckName[] = ['failover']
}
