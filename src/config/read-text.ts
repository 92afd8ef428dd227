// One way in for every configuration file drcheck reads: --inventory, --keepalived-conf and each file
// a keepalived.conf includes. Only a regular file of at most MAX_CONFIG_BYTES is read: a FIFO would
// block the open (and then the read) forever, /dev/zero or /dev/urandom would be read until memory
// runs out. The file is opened non-blocking (a FIFO's open returns at once) and judged by fstat of
// the open descriptor (no window between the check and the read), and never more than the limit + 1
// bytes are read (a /proc file says size 0 and a file may grow while it is read).

import {closeSync, constants, fstatSync, openSync, readSync, type Stats} from 'node:fs'
import {DrcheckError} from '../lib/errors.js'

/** keepalived.conf files and inventories are kilobytes; this is far above any real one. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  return 'not a file'
}

/**
 * The text of a configuration file. `label` names it in the one-line error (`--inventory FILE`,
 * `a.conf:3: include FILE`); every failure is a DrcheckError `LABEL: what is wrong`.
 */
export function readConfigText(path: string, label: string): string {
  const fail = (what: string): never => { throw new DrcheckError(`${label}: ${what}`) }
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0))
  } catch (e) {
    return fail(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) fail(`not a regular file (${kindOf(st)})`)
    const tooBig = (n: string) => fail(`too big (${n} bytes; a configuration file is at most ${MAX_CONFIG_BYTES} bytes)`)
    if (st.size > MAX_CONFIG_BYTES) tooBig(String(st.size))
    const buf = Buffer.allocUnsafe(Math.min(MAX_CONFIG_BYTES + 1, Math.max(st.size + 1, 64 * 1024)))
    let got = 0
    let chunk = buf
    for (;;) {
      if (got === chunk.length) {
        if (chunk.length > MAX_CONFIG_BYTES) tooBig(`over ${MAX_CONFIG_BYTES}`)
        const bigger = Buffer.allocUnsafe(Math.min(MAX_CONFIG_BYTES + 1, chunk.length * 2))
        chunk.copy(bigger, 0, 0, got)
        chunk = bigger
      }
      let n: number
      try {
        n = readSync(fd, chunk, got, chunk.length - got, null)
      } catch (e) {
        return fail(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
      }
      if (n === 0) break
      got += n
    }
    if (got > MAX_CONFIG_BYTES) tooBig(`over ${MAX_CONFIG_BYTES}`)
    return chunk.toString('utf8', 0, got)
  } finally {
    closeSync(fd)
  }
}
