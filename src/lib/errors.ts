/**
 * An error the user can act on: bad usage, unreadable or corrupt input, a capture that could not
 * start. Printed as one line (no stack unless --debug); the process exits with status 3.
 */
export class DrcheckError extends Error {
  readonly exitCode = 3
  constructor(message: string) {
    super(message)
    this.name = 'DrcheckError'
  }
}

/** A capture file that cannot be read at all (missing, not a capture, bad header). */
export class CaptureFileError extends DrcheckError {
  constructor(readonly file: string, what: string) {
    super(`${file}: ${what}`)
    this.name = 'CaptureFileError'
  }
}

// stdout. oclif's Command module swallows EPIPE on stdout and rethrows any other write error from
// the stream's 'error' event: an uncaught exception, a stack trace and exit status 1 ("fail") when
// the report cannot be written (`> /dev/full`, a full disk, EIO). guardStdout replaces that
// listener (bin/run.js right after loading oclif's Command, and the check commands' module again):
// EPIPE (the reader went away, `| head -1`) stays harmless, any other error is left on the stream
// (`process.stdout.errored`) for writeStdout's caller or bin/run.js to report as one line, exit 3.

let stdoutGuarded = false
let stdoutReported = false

/** Take over stdout's 'error' event from oclif (idempotent). */
export function guardStdout(): void {
  if (stdoutGuarded) return
  stdoutGuarded = true
  process.stdout.removeAllListeners('error')
  process.stdout.on('error', () => { /* EPIPE: ignored; others: process.stdout.errored, reported by the writer or bin/run.js */ })
}

/** The one-line message for a stdout write error. */
export function stdoutErrorMessage(e: Error, what = 'the report'): string {
  return `cannot write ${what} to stdout: ${e.message.split('\n')[0]}`
}

/**
 * Write to stdout and wait until it is written. A reader that went away (EPIPE) is not an error (the
 * exit status is still the verdict's); any other write error is a DrcheckError (one line, exit 3).
 */
export function writeStdout(text: string, what = 'the report'): Promise<void> {
  guardStdout()
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (e?: Error | null) => {
      // a write after an earlier error fails with ERR_STREAM_DESTROYED: the earlier error is the cause
      const cause = (e as NodeJS.ErrnoException | null | undefined)?.code === 'ERR_STREAM_DESTROYED' ? process.stdout.errored ?? e : e
      if (!cause || (cause as NodeJS.ErrnoException).code === 'EPIPE') { resolve(); return }
      stdoutReported = true
      reject(new DrcheckError(stdoutErrorMessage(cause, what)))
    })
  })
}

/** A stdout write error (not EPIPE) that no writeStdout caller reported; null when none. */
export function unreportedStdoutError(): Error | null {
  const e = process.stdout.errored as NodeJS.ErrnoException | null
  if (!e || stdoutReported) return null
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return null
  return e
}
