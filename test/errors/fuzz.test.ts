// The fuzzer (scripts/fuzz.mjs) in CI: 20,000 mutations of the fixtures with a fixed seed through
// the reader, the Dissector and (every 10th) the whole Analysis, on the TypeScript sources.
// Anything thrown that is not a one-line DrcheckError fails the test, naming the mutation; a crash
// found here (or by a long run) is saved as a file in fixtures/corpus/crashes and replayed by
// test/errors/corpus.test.ts forever after.

import {describe, expect, it} from 'vitest'
import {readCaptureBytes} from '../../src/capture/file.js'
import {DEFAULT_OPTIONS} from '../../src/checks/context.js'
import {CHECK_NAMES} from '../../src/checks/types.js'
import {Dissector} from '../../src/decode/dissect.js'
import {Analysis} from '../../src/lib/analyze.js'
import {DrcheckError} from '../../src/lib/errors.js'
// @ts-expect-error plain ESM script without types
import {fuzz, mutate, rng} from '../../scripts/fuzz.mjs'

const mods = {readCaptureBytes, Dissector, DrcheckError, Analysis, DEFAULT_OPTIONS, CHECK_NAMES}

describe('fuzzer', () => {
  it('mutations are deterministic for a seed and change the input', () => {
    const base = Uint8Array.from({length: 200}, (_, i) => i)
    const [a, wa] = mutate(rng(42), base, base)
    const [b, wb] = mutate(rng(42), base, base)
    expect(wa).toBe(wb)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const changed = Array.from({length: 50}, (_, s) => mutate(rng(s), base, base)[0]).filter((m: Uint8Array) => !Buffer.from(m).equals(Buffer.from(base)))
    expect(changed.length).toBeGreaterThan(45)
  })

  it('a crash is reported (the harness can fail)', () => {
    class Boom { dissect(): void { throw new TypeError('boom') } }
    const res = fuzz({...mods, Dissector: Boom}, {count: 20, seed: 1, checksEvery: 0})
    expect(res.crashes.length).toBeGreaterThan(0)
    expect(res.crashes[0].error).toMatch(/TypeError: boom/)
  })

  it('20,000 mutations, seed 20261203: no crash, no hang, bounded memory', () => {
    const res = fuzz(mods, {count: 20_000, seed: 20261203, checksEvery: 10, slowMs: 2000})
    const first = res.crashes[0]
    expect(res.crashes.length, first ? `${first.name}: ${first.what}\n${first.error}` : '').toBe(0)
    expect(res.hangs.length).toBe(0)
    expect(res.frames).toBeGreaterThan(100_000)
    expect(res.errors).toBeGreaterThan(0) // some mutations break the file header: one-line errors
    expect(res.peakRss).toBeLessThan(1024 * 2 ** 20)
  }, 120_000)
})
