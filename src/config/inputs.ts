// `-r NAME=FILE` / `-r FILE` into labelled inputs. Apart from config/load.ts so that a run without
// --inventory / --keepalived-conf does not load their parsers (start-up).

import {existsSync} from 'node:fs'
import {basename} from 'node:path'
import {DrcheckError} from '../lib/errors.js'

/** `-r NAME=FILE` (a label for the capture point) or `-r FILE` (labelled by its base name). */
export function splitReadArg(arg: string): {label: string, path: string} {
  const m = /^([A-Za-z0-9_.:-]+)=(.+)$/.exec(arg)
  if (m && !existsSync(arg)) return {label: m[1], path: m[2]}
  return {label: basename(arg), path: arg}
}

export function readInputs(args: string[]): {label: string, path: string}[] {
  const out = args.map(splitReadArg)
  const seen = new Set<string>()
  for (const i of out) {
    if (seen.has(i.label)) throw new DrcheckError(`-r ${i.label}: two inputs with the same name; label them: -r lan=a/${i.label} -r lb1=b/${i.label}`)
    seen.add(i.label)
  }
  return out
}
