#!/usr/bin/env node
// Writes oclif.manifest.json (what `oclif manifest` does) so that `drcheck --help` and command
// lookup need not import every command module at start-up. Run by `npm run build` / prepare.
import {Config} from '@oclif/core'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const root = join(import.meta.dirname, '..')
// oclif reads an existing manifest even with ignoreManifest: remove it, or a rebuilt command's
// help text would stay the old one
rmSync(join(root, 'oclif.manifest.json'), {force: true})
const config = await Config.load({root, ignoreManifest: true})
const plugin = config.plugins.get(config.pjson.name)
if (!plugin) throw new Error('drcheck plugin not found')
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 1) + '\n')
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`)
