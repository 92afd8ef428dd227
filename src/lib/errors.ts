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
