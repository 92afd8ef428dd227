#!/usr/bin/env -S node --max-semi-space-size=8
// drcheck's entry point. Exit statuses are the spec's: 0 pass, 1 fail, 2 inconclusive, 3 error.
// oclif's own errors (unknown command, …) become one `drcheck:` line and status 3.
// The young generation is capped at 8 MB (the shebang): the hot path allocates little, and peak
// memory stays flat on big captures (npm run bench measures it).
import {Errors, flush, run} from '@oclif/core'

try {
  await run(process.argv.slice(2), import.meta.url)
  await flush()
} catch (error) {
  if (error instanceof Errors.ExitError || error?.code === 'EEXIT') {
    process.exitCode = error.oclif?.exit ?? 0
  } else {
    const lines = String(error?.message ?? error).split('\n').map((l) => l.replace(/^[\s›]*(Error:)?\s*/, '').trim()).filter(Boolean)
    process.stderr.write(`drcheck: ${lines[0] ?? 'error'}\n`)
    if (process.argv.includes('--debug') && error?.stack) process.stderr.write(`${error.stack}\n`)
    process.exitCode = 3
  }
}
