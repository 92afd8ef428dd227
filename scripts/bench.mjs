#!/usr/bin/env node
// `npm run bench`: drcheck verify -r against libpcap (tcpdump with the equivalent BPF filter) and
// tshark (equivalent display filter), in the same run, alternating, each repeated; prints medians,
// packets/s, peak RSS (the process's own max RSS from /usr/bin/time) and the ratios, and writes
// bench-data/results.json. Start-up too: `drcheck --help`, `verify --help` and `verify -r` on a
// small capture (issue 6: under 300 ms), medians of --startup-reps runs.
//   node scripts/bench.mjs              100 MB (262 k), 2 M and 10 M proxy captures, a 2 M LAN view, a 2 M IPv6 mix
//   node scripts/bench.mjs --smoke      one 100 k capture, one repetition, 5 start-up runs (CI)
//   node scripts/bench.mjs --reps 5 --sizes 2000000 --startup-reps 31
// Captures are generated once (scripts/bench-gen.mjs) and cached in bench-data/.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const root = join(import.meta.dirname, '..')
const argv = process.argv.slice(2)
const smoke = argv.includes('--smoke')
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt }
const reps = Number(opt('--reps', smoke ? 1 : 3))
const tsharkSlice = Number(opt('--tshark-slice', smoke ? 20000 : 200000))
const dataDir = join(root, 'bench-data')
mkdirSync(dataDir, {recursive: true})

const sets = smoke
  ? [{view: 'proxy', family: 'v4', packets: 100000}]
  : (opt('--sizes', '') ? opt('--sizes').split(',').map((n) => ({view: 'proxy', family: 'v4', packets: Number(n)}))
    // 262 k packets is a 100 MB file: with the 10 M one (3.8 GB) it shows whether memory stays flat
    : [{view: 'proxy', family: 'v4', packets: 262000}, {view: 'proxy', family: 'v4', packets: 2e6}, {view: 'proxy', family: 'v4', packets: 1e7},
      {view: 'lan', family: 'v4', packets: 2e6}, {view: 'proxy', family: 'mix', packets: 2e6}])

const VIPS = ['198.51.100.10', '2001:db8:1::10']
const {buildFilter} = await import(join(root, 'dist/capture/bpf.js'))
const bpf = buildFilter(VIPS)
const display = 'arp || vrrp || icmpv6.type == 135 || icmpv6.type == 136 || ip.addr == 198.51.100.10 || ipv6.addr == 2001:db8:1::10 || udp || tcp.flags.syn == 1 || tcp.flags.reset == 1'

function file(s) {
  const f = join(dataDir, `${s.view}-${s.family}-${s.packets}.pcap`)
  if (!existsSync(f)) execFileSync(process.execPath, [join(root, 'scripts/bench-gen.mjs'), '--packets', String(s.packets), '--view', s.view, '--family', s.family, '--out', f], {stdio: 'inherit'})
  return f
}

/** wall seconds and max RSS (MB) of one command, from GNU time */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {encoding: 'utf8', maxBuffer: 1 << 26})
  const last = r.stderr.trim().split('\n').at(-1).split(' ')
  return {s: Number(last[0]), mb: Number(last[1]) / 1024, status: r.status, out: r.stdout}
}
const median = (xs) => { const a = [...xs].sort((x, y) => x - y); return a[Math.floor(a.length / 2)] }

/** start-up: wall ms of bin/run.js (its shebang's flags, as a user runs it), the commands taking turns */
function startup(runs) {
  const small = join(root, 'fixtures/lab/healthy/lan.pcapng')
  const cmds = {'--help': ['--help'], 'verify --help': ['verify', '--help'], 'verify -r small -q': ['verify', '-r', small, '-q']}
  const ms = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(cmds)) {
      const t = process.hrtime.bigint()
      const r = spawnSync(join(root, 'bin/run.js'), args, {encoding: 'utf8'})
      ms[name].push(Number(process.hrtime.bigint() - t) / 1e6)
      if (r.status !== 0 && r.status !== 1 && r.status !== 2) throw new Error(`drcheck ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, {medianMs: Math.round(median(xs)), minMs: Math.round(Math.min(...xs)), runs}]))
}

const results = []
for (const s of sets) {
  const f = file(s)
  const slice = join(dataDir, `${s.view}-${s.family}-${s.packets}.slice${tsharkSlice}.pcap`)
  if (!existsSync(slice)) execFileSync('editcap', ['-r', f, slice, `1-${tsharkSlice}`])
  const runs = {drcheck: [], tcpdump: [], tshark: []}
  for (let i = 0; i < reps; i++) {
    // bin/run.js itself (its shebang sets node's flags), as a user runs it
    const d = timed(join(root, 'bin/run.js'), ['verify', '-r', f, ...VIPS.flatMap((v) => ['--vip', v]), '-q'])
    if (d.status !== 0 && d.status !== 1 && d.status !== 2) throw new Error(`drcheck exited ${d.status}`)
    runs.drcheck.push(d)
    runs.tcpdump.push(timed('tcpdump', ['-r', f, '-w', '/dev/null', bpf]))
    runs.tshark.push(timed('tshark', ['-r', slice, '-Y', display, '-w', '/dev/null']))
  }
  const row = {file: f.replace(root + '/', ''), packets: s.packets}
  for (const [tool, rs] of Object.entries(runs)) {
    const n = tool === 'tshark' ? tsharkSlice : s.packets
    const sec = median(rs.map((r) => r.s))
    row[tool] = {seconds: sec, packetsPerSecond: Math.round(n / Math.max(sec, 0.001)), maxRssMB: Math.round(Math.max(...rs.map((r) => r.mb))), packets: n}
  }
  row.vsTcpdump = +(row.drcheck.seconds / Math.max(row.tcpdump.seconds, 0.001)).toFixed(2)
  row.vsTshark = +(row.drcheck.packetsPerSecond / row.tshark.packetsPerSecond).toFixed(1)
  results.push(row)
  const fmt = (x) => `${x.seconds.toFixed(2)} s  ${(x.packetsPerSecond / 1e6).toFixed(2)} Mpps  ${x.maxRssMB} MB`
  console.log(`${row.file} (${s.packets} packets)`)
  console.log(`  drcheck verify  ${fmt(row.drcheck)}`)
  console.log(`  tcpdump BPF     ${fmt(row.tcpdump)}`)
  console.log(`  tshark -Y       ${fmt(row.tshark)}  (first ${tsharkSlice} packets)`)
  console.log(`  drcheck time = ${row.vsTcpdump} × tcpdump; drcheck rate = ${row.vsTshark} × tshark`)
}
// flat memory: drcheck's peak RSS on the smallest and the largest proxy capture (goal: < 150 MB, within 20 %)
const proxy = results.filter((r) => /proxy-v4-/.test(r.file)).sort((x, y) => x.packets - y.packets)
let memory = null
if (proxy.length >= 2) {
  const [small, big] = [proxy[0], proxy.at(-1)]
  const {statSync} = await import('node:fs')
  const size = (r) => `${(statSync(join(root, r.file)).size / 1e6).toFixed(0)} MB`
  memory = {small: {file: small.file, maxRssMB: small.drcheck.maxRssMB}, big: {file: big.file, maxRssMB: big.drcheck.maxRssMB},
    ratio: +(big.drcheck.maxRssMB / small.drcheck.maxRssMB).toFixed(2)}
  console.log(`memory: peak RSS ${small.drcheck.maxRssMB} MB on ${size(small)}, ${big.drcheck.maxRssMB} MB on ${size(big)} (× ${memory.ratio}; goal < 150 MB and within 20 %)`)
}
const start = startup(Number(opt('--startup-reps', smoke ? 5 : 21)))
console.log(`start-up (median of ${start['--help'].runs}; goal < 300 ms)`)
for (const [name, r] of Object.entries(start)) console.log(`  drcheck ${name.padEnd(18)} ${r.medianMs} ms  (min ${r.minMs} ms)`)
// node reads this CA bundle at every start, before any of drcheck's code runs (~0.1 s here)
if (process.env.NODE_EXTRA_CA_CERTS) console.log('  (NODE_EXTRA_CA_CERTS is set: node loads those certificates at every start, included above)')
writeFileSync(join(dataDir, smoke ? 'results-smoke.json' : 'results.json'), JSON.stringify({date: new Date().toISOString(), node: process.version, reps, results, memory, startup: start}, null, 2))
console.log(`bench: ${results.length} capture(s), results in bench-data/${smoke ? 'results-smoke.json' : 'results.json'}`)
