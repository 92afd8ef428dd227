#!/usr/bin/env -S node --max-semi-space-size=8
// drcheck's entry point. Exit statuses are the spec's: 0 pass, 1 fail, 2 inconclusive, 3 error.
// oclif's own errors (unknown command, …) become one `drcheck:` line and status 3.
// The young generation is capped at 8 MB (the shebang): the hot path allocates little, and peak
// memory stays flat on big captures (npm run bench measures it).
// Start-up (the commands do the same): oclif is loaded by subpath, never through '@oclif/core' (its
// index loads every part of oclif, and semver to check node's version: ~50 ms), and with require,
// not import (importing a CommonJS module from ESM runs cjs-module-lexer over each of its modules:
// ~20 ms more). Of the index's import-time checks only the missing-directory warning is kept (the
// node version is package.json's engines' business).
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const {run} = require('@oclif/core/run')
const {flush} = require('@oclif/core/flush')
const {ExitError} = require('@oclif/core/errors')
// oclif's Command module (loaded here, before any command, ~2 ms) rethrows stdout write errors other
// than EPIPE from the stream's 'error' event: a stack trace and exit 1. guardStdout takes that over;
// an error no command reported (`drcheck explain > /dev/full`) is reported below: one line, exit 3.
require('@oclif/core/command')
const {guardStdout, stdoutErrorMessage, unreportedStdoutError} = await import('../dist/lib/errors.js')
guardStdout()

try {
  process.cwd()
} catch (error) {
  if (error?.code === 'ENOENT') process.stderr.write('WARNING: current directory does not exist\n')
}

try {
  await run(process.argv.slice(2), import.meta.url)
  // flush waits for 'drain', which a stream that failed (EPIPE, ENOSPC) never emits: node would exit 13
  if (!process.stdout.errored && !process.stdout.destroyed) await flush()
} catch (error) {
  if (error instanceof ExitError || error?.code === 'EEXIT') {
    process.exitCode = error.oclif?.exit ?? 0
  } else {
    const lines = String(error?.message ?? error).split('\n').map((l) => l.replace(/^[\s›]*(Error:)?\s*/, '').trim()).filter(Boolean)
    process.stderr.write(`drcheck: ${lines[0] ?? 'error'}\n`)
    if (process.argv.includes('--debug') && error?.stack) process.stderr.write(`${error.stack}\n`)
    process.exitCode = 3
  }
}
// (an exit status 3 already has its one line on stderr)
const stdoutError = unreportedStdoutError()
if (stdoutError && process.exitCode !== 3) {
  process.stderr.write(`drcheck: ${stdoutErrorMessage(stdoutError, 'the output')}\n`)
  process.exitCode = 3
}
