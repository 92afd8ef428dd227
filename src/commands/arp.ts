import {CheckCommand} from '../lib/base-command.js'
import type {CheckName} from '../checks/types.js'

export default class Arp extends CheckCommand {
  static override summary = 'Check that only the active LB claims the VIP (ARP and IPv6 neighbour discovery).'
  static override description = `A claim is an ARP reply or gratuitous ARP with the VIP as sender, an ARP request from the VIP, a neighbour advertisement for the VIP or a neighbour solicitation from it. Fails on real-server-answers, real-server-announces, stale-owner (a former master still claims it), conflict (two MACs within one advert interval) and foreign-claim (anyone else). Passes when the VIP was claimed and only by the active LB (the VRRP master at that moment, or --lb-mac when no VRRP is visible).

Exit status: 0 pass, 1 fail, 2 inconclusive, 3 error.`
  static override examples = [
    {description: 'Watch the LAN for 60 s', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 60s'},
    {description: 'From a capture, LB MACs declared (VRRP not visible)', command: '<%= config.bin %> <%= command.id %> -r lan.pcap --vip 198.51.100.10 --lb-mac 02:00:00:00:00:11'},
    {description: 'On call: what to do about a finding the report shows', command: '<%= config.bin %> explain real-server-answers'},
    {description: 'CI: JUnit XML, client addresses pseudonymised before the report leaves the platform', command: '<%= config.bin %> <%= command.id %> -r lan.pcap --require arp --junit drcheck.xml --redact'},
  ]
  protected readonly checks: CheckName[] = ['arp']
}
