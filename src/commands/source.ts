import {CheckCommand} from '../lib/base-command.js'
import type {CheckName} from '../checks/types.js'

export default class Source extends CheckCommand {
  static override summary = 'Check that replies leave the proxies with the VIP as source, straight to the gateway.'
  static override description = `Fails on wrong-source (a reply from another address), reset / unreachable (the proxy refuses VIP requests), unanswered (a request reached a proxy and no reply came within --reply-timeout), via-lb (replies sent to an LB's MAC) and nat (an LB rewrote the destination IP). Passes when at least one request/reply pair was checked, or on an LB's capture when requests were forwarded unchanged and no reply came back.

Exit status: 0 pass, 1 fail, 2 inconclusive, 3 error.`
  static override examples = [
    {description: 'On a proxy, while clients use the service', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 20s --vip 198.51.100.10'},
    {description: 'From a capture file', command: '<%= config.bin %> <%= command.id %> -r rs1.pcap --vip 198.51.100.10 --vip 2001:db8:1::10'},
    {description: 'On call: keep the frames that prove a wrong source for Wireshark', command: '<%= config.bin %> <%= command.id %> -i eth0 --duration 20s --evidence /tmp/drcheck-evidence'},
    {description: 'CI: JUnit XML for the test report, the source check must decide', command: '<%= config.bin %> <%= command.id %> -r smoke.pcap --require source --junit drcheck.xml'},
  ]
  protected readonly checks: CheckName[] = ['source']
}
