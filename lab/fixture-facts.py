#!/usr/bin/env python3
"""Reference facts of a lab capture, decoded by tshark (independent of drcheck's own decoder).

    python3 lab/fixture-facts.py fixtures/lab/failover-hard/lan.pcapng [...]

Prints, per file: format and link type, VRRP adverts per VRID (runs per source, transitions with
the measured takeover time and the RFC bound), every claim of a VIP (ARP/GARP with the VIP as
sender, NA for the VIP, NS from the VIP) with frame numbers, and the replies to VIP requests
(TCP 25, UDP 53, ICMP echo) grouped by source address / MACs -- a reply whose source is not the
VIP is listed frame by frame. Used to write fixtures/lab/README.md.
"""
import subprocess
import sys
from collections import OrderedDict, defaultdict

VIPS = {"198.51.100.10", "2001:db8:1::10"}
CLIENTS = {"203.0.113.100", "2001:db8:2::100"}
NAMES = {
    "02:00:00:00:00:01": "router", "02:00:00:00:00:11": "lb1", "02:00:00:00:00:12": "lb2",
    "02:00:00:00:00:21": "rs1", "02:00:00:00:00:22": "rs2",
}
LB_MACS = {"02:00:00:00:00:11", "02:00:00:00:00:12"}
FIELDS = [
    "frame.number", "frame.time_relative", "frame.time_epoch", "eth.src", "eth.dst", "sll.src.eth",
    "sll.pkttype", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport",
    "tcp.srcport", "tcp.dstport", "tcp.flags.reset", "icmp.type", "icmpv6.type", "arp.opcode",
    "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "icmpv6.nd.na.target_address",
    "icmpv6.opt.linkaddr", "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.adver_int", "vrrp.short_adver_int",
]


def n(mac):
    return f"{mac} ({NAMES[mac]})" if mac in NAMES else (mac or "?")


def rows(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        yield dict(zip(FIELDS, v))


def capinfo(path):
    out = subprocess.run(["capinfos", "-t", "-E", "-c", "-i", path], capture_output=True, text=True).stdout
    info = {}
    for line in out.splitlines():
        if ":" in line:
            k, _, val = line.partition(":")
            info[k.strip()] = val.strip()
    return info


def describe(path):
    info = capinfo(path)
    print(f"== {path}")
    print(f"   format: {info.get('File type')}; encapsulation: {info.get('File encapsulation')}; "
          f"packets: {info.get('Number of packets')}")
    adverts = defaultdict(list)   # (vrid, family) -> [(frame, t, src, prio, int)]
    claims = []
    quoted = []   # VRRP adverts quoted in ICMP errors
    replies = defaultdict(list)   # (src ip, eth src, eth dst) -> frames
    wrong = []
    requests = defaultdict(int)   # (dst mac) -> count
    for r in rows(path):
        fr, t = int(r["frame.number"]), float(r["frame.time_relative"])
        esrc = r["eth.src"] or r["sll.src.eth"]
        edst = r["eth.dst"] or ("(sll pkttype %s)" % r["sll.pkttype"] if r["sll.pkttype"] else "")
        src = r["ip.src"] or r["ipv6.src"]
        dst = r["ip.dst"] or r["ipv6.dst"]
        if r["vrrp.virt_rtr_id"] and (r["icmp.type"] or r["icmpv6.type"]):
            # an advert quoted inside an ICMP error (protocol unreachable from a host whose
            # keepalived is gone, unicast peers): not an advert of the ICMP sender
            quoted.append((fr, src, esrc, r["icmp.type"] or r["icmpv6.type"]))
            continue
        if r["vrrp.virt_rtr_id"]:
            fam = "ipv4" if r["ip.src"] else "ipv6"
            adverts[(int(r["vrrp.virt_rtr_id"]), fam)].append(
                (fr, t, src, int(r["vrrp.prio"]), r["vrrp.adver_int"] or r["vrrp.short_adver_int"], esrc,
                 r["vrrp.version"]))
            continue
        if r["arp.opcode"] and r["arp.src.proto_ipv4"] in VIPS:
            kind = "ARP reply" if r["arp.opcode"] == "2" else (
                "gratuitous ARP request" if r["arp.dst.proto_ipv4"] == r["arp.src.proto_ipv4"] else "ARP request from VIP")
            claims.append((fr, t, kind, r["arp.src.hw_mac"], esrc, r["arp.src.proto_ipv4"]))
            continue
        if r["icmpv6.type"] == "136" and r["icmpv6.nd.na.target_address"] in VIPS:
            kind = "NA (solicited)" if dst not in ("ff02::1",) else "NA (unsolicited)"
            claims.append((fr, t, kind, r["icmpv6.opt.linkaddr"] or esrc, esrc, r["icmpv6.nd.na.target_address"]))
            continue
        if r["icmpv6.type"] == "135" and src in VIPS:
            claims.append((fr, t, "NS from VIP", r["icmpv6.opt.linkaddr"] or esrc, esrc, src))
            continue
        if r["icmpv6.type"] in ("135", "136", "133", "134", "143"):
            continue
        is_reply = dst in CLIENTS and (
            r["udp.srcport"] == "53" or r["tcp.srcport"] == "25" or r["icmp.type"] == "0" or r["icmpv6.type"] == "129")
        if dst in VIPS:
            requests[edst] += 1
        if is_reply:
            replies[(src, esrc, edst)].append(fr)
            if src not in VIPS:
                proto = "udp" if r["udp.srcport"] else "tcp" if r["tcp.srcport"] else "icmp"
                wrong.append((fr, t, proto, src, dst, esrc, edst))
    for (vrid, fam), ads in sorted(adverts.items()):
        runs = []
        for a in ads:
            if runs and runs[-1]["src"] == a[2] and not (runs[-1]["last"][3] == 0):
                runs[-1]["last"] = a
                runs[-1]["count"] += 1
            else:
                runs.append({"src": a[2], "first": a, "last": a, "count": 1})
        print(f"   VRRP VRID {vrid} ({fam}, v{ads[0][6]}): {len(ads)} adverts")
        for ru in runs:
            f, l = ru["first"], ru["last"]
            print(f"     {ru['src']} mac {n(f[5])} prio {f[3]} int {f[4]}{'cs' if f[6] == '3' else 's'}: frames {f[0]}..{l[0]} "
                  f"(t {f[1]:.6f}..{l[1]:.6f}), {ru['count']} adverts" + (" -- priority 0" if l[3] == 0 else ""))
        for a, b in zip(runs, runs[1:]):
            if a["src"] == b["src"] and a["last"][3] != 0:
                continue
            old, new = a["last"], b["first"]
            newprio = new[3]
            intv = float(new[4]) / 100.0 if new[6] == "3" else float(new[4])   # v3: centiseconds
            skew = (256 - newprio) / 256.0 * (intv if new[6] == "3" else 1.0)
            bound = skew if old[3] == 0 else 3 * intv + skew
            ms = (new[1] - old[1]) * 1000
            print(f"     transition: {old[2]} (frame {old[0]}, prio {old[3]}) -> {new[2]} (frame {new[0]}): "
                  f"takeover {ms:.1f} ms, bound {bound * 1000:.1f} ms "
                  f"({'skew only, after priority 0' if old[3] == 0 else '3 x interval + skew'})")
    if quoted:
        print(f"   VRRP adverts quoted in ICMP errors (not adverts; {len(quoted)}): first frame {quoted[0][0]} "
              f"from {quoted[0][1]} {n(quoted[0][2])}, ICMP type {quoted[0][3]}")
    if claims:
        print(f"   VIP claims ({len(claims)}):")
        for fr, t, kind, mac, esrc, vip in claims:
            extra = "" if mac == esrc else f", ethernet src {n(esrc)}"
            print(f"     frame {fr} t {t:.6f}: {kind} {vip} is-at {n(mac)}{extra}")
    else:
        print("   VIP claims: none")
    if requests:
        print("   requests to a VIP by destination MAC: " +
              ", ".join(f"{n(k)}: {v}" for k, v in sorted(requests.items())))
    if replies:
        print("   replies to the client (src ip, src mac -> dst mac: count, frames):")
        for (src, es, ed), frs in sorted(replies.items()):
            print(f"     {src}, {n(es)} -> {n(ed)}: {len(frs)} (frames {frs[0]}..{frs[-1]})"
                  + ("  <-- via an LB MAC" if ed in LB_MACS else ""))
    if wrong:
        print(f"   replies NOT from the VIP ({len(wrong)}):")
        for fr, t, proto, src, dst, es, ed in wrong:
            print(f"     frame {fr} t {t:.6f}: {proto} {src} -> {dst}, {n(es)} -> {n(ed)}")


for p in sys.argv[1:]:
    describe(p)
