#!/usr/bin/env bash
# The whole test suite: checks prerequisites, builds, runs vitest (unit, replay and lab tests).
# In CI (CI=true) a missing prerequisite is a failure; elsewhere lab tests skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for t in tcpdump tshark keepalived nft tcpreplay ip; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
[ -e /usr/include/pcap.h ] || missing+=(libpcap-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "test: missing prerequisites in CI: ${missing[*]} (run scripts/setup-system.sh)" >&2
    exit 1
  fi
  echo "test: missing ${missing[*]}: lab and tshark tests will skip (run scripts/setup-system.sh as root)" >&2
fi
npx tsc -p tsconfig.json && node scripts/manifest.mjs >/dev/null
results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@" || status=$?
# the plain closing line CI reads: "N passed, N failed"
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$results" 2>/dev/null || true
rm -f "$results"
exit $status
