import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { afterAll, describe, expect, test } from 'vitest'
import { measureLeak } from '../src/index.js'
import { getGc } from '../src/measure/gc.js'
import { summarizeHeapSnapshot } from '../src/measure/heap-snapshot.js'
import { robustSlope } from '../src/measure/leaks.js'
import { findRetainerTraces } from '../src/measure/retainers.js'
import { CLEAN, LEAKING } from '../bench/leak-cases.mjs'
import { LEAKS, NON_LEAKS } from '../bench/leak-scenarios.mjs'

describe('measureLeak', () => {
  test.each(Object.entries(LEAKING))('catches a function that %s (about 1 kB per call)', async (_, fn) => {
    const m = await measureLeak(fn)
    expect(m.leaks).toBe(true)
    expect(m.retainedPerCall).toBeGreaterThan(400)
    expect(m.retainedTotal).toBeGreaterThan(300e3)
  })

  test.each(Object.entries(CLEAN))('does not flag a function that %s', async (_, fn) => {
    const m = await measureLeak(fn)
    expect(m.leaks).toBe(false)
    expect(m.retainedPerCall).toBeLessThan(128)
    // Nothing grew, so nothing slowed down: no "it grew at first, then stopped" in a message.
    expect(m.slowing).toBe(false)
  })

  test('rejects bad options with the accepted form', async () => {
    await expect(measureLeak(() => {}, { iterations: 2 })).rejects.toThrowError('Invalid iterations: 2. Expected a whole number, 3 or more.')
    await expect(measureLeak(() => {}, { threshold: '1 kilobyte' })).rejects.toThrowError('Invalid threshold: "1 kilobyte".')
  })

  test('the slope ignores one outlying sample', () => {
    expect(robustSlope([0, 1, 2, 3, 4, 5], [0, 10, 20, 500, 40, 50])).toBe(10)
  })
})

// The bench's realistic cases (bench/leak-scenarios.mjs) that a slope over all samples got wrong.
describe('measureLeak on growth that is not a straight line', () => {
  test('a steady leak of 1 kB a call is caught when 2 MB is freed once mid-run', async () => {
    const m = await measureLeak(LEAKS['keeps 1 kB a call and frees 2 MB once mid-run']!())
    // The release is there in the samples: the later ones sit about 2 MB below a straight line.
    expect(m.samples[4]! - m.samples[3]!).toBeLessThan(-1.5e6)
    expect(m.leaks).toBe(true)
    expect(m.retainedPerCall).toBeGreaterThan(900)
    expect(m.retainedPerCall).toBeLessThan(1200)
  })

  test('one release or one allocation mid-run, in code that keeps nothing per call, is no leak', async () => {
    for (const name of ['holds a 2 MB temporary, freed once mid-run', 'builds a 2 MB lookup table on first use, mid-run']) {
      const m = await measureLeak(NON_LEAKS[name]!())
      expect(Math.abs(m.samples.at(-1)!)).toBeGreaterThan(1.5e6)
      expect(m.leaks, name).toBe(false)
      expect(Math.abs(m.retainedPerCall), name).toBeLessThan(16)
    }
  })

  test('a bounded cache that fills during the measured calls is no leak, and is said to slow down', async () => {
    for (const name of ['LRU cache capped at 500 entries, filling during the measured calls', 'LRU cache capped at 700 entries, filling during the measured calls']) {
      const m = await measureLeak(NON_LEAKS[name]!())
      // It grew by over 150 kB (about 450 B a call) before it was full.
      expect(m.retainedTotal, name).toBeGreaterThan(150e3)
      expect(m.leaks, name).toBe(false)
      expect(m.retainedPerCall, name).toBeLessThan(16)
      expect(m.slowing, name).toBe(true)
    }
  })

  test('a queue flushed every 250 calls rises and falls, and is no leak', async () => {
    const m = await measureLeak(NON_LEAKS['queues entries and flushes them every 250 calls']!())
    expect(Math.max(...m.samples)).toBeGreaterThan(90e3)
    expect(m.leaks).toBe(false)
  })

  test('the default threshold catches the small leaks everyday code makes', async () => {
    // Under the former default (256 B a call), all three passed.
    for (const [name, least, most] of [
      ['caches every response in a Map, never evicting', 80, 160],
      ['starts a setInterval and never clears it', 180, 300],
      ['adds a bare listener per call', 40, 90],
    ] as const) {
      const m = await measureLeak(LEAKS[name]!())
      expect(m.leaks, name).toBe(true)
      expect(m.retainedPerCall, name).toBeGreaterThan(least)
      expect(m.retainedPerCall, name).toBeLessThan(most)
      expect(m.slowing, name).toBe(false)
    }
  })
})

describe('toLeak', () => {
  test('.not.toLeak() passes on clean code and fails on a leak, naming what grew and what holds it', async () => {
    await expect(CLEAN['sets and deletes a map entry']!).not.toLeak()
    await expect(LEAKING['pushes to a module-level array']!).toLeak()
    const error = await expect(LEAKING['pushes to a module-level array']!).not.toLeak().then(() => undefined, (e: Error) => e)
    expect(error?.message).toMatch(/^expected the function not to leak, but it kept [\d.]+ kB per call \([\d.]+ kB over 800 calls after 100 warm-up calls; the threshold is 24 B per call\)$/m)
    expect(error?.message).toMatch(/^ {2}retained after full GCs, sample by sample: 0 B, /m)
    expect(error?.message).toContain('Objects that grew over 100 more calls (heap snapshots before and after):')
    // 100 more calls kept 100 more { payload } objects and their arrays.
    expect(error?.message).toMatch(/^ +\+1\d\d +\+[\d.]+ kB {2}Object$/m)
    expect(error?.message).toMatch(/^ +\+1\d\d +\+[\d.]+ kB {2}\(array\)$/m)
    // The array is `kept` in bench/leak-cases.mjs. Vitest runs a module in a block scope, whose
    // variable names V8 leaves to be matched up, here to two possible ones (see below).
    expect(error?.message).toContain('Retained through (shortest paths from a GC root, by memlab):')
    expect(error?.message).toMatch(/^ +[\d.]+ kB in [1-9]\d\d objects {2}(\w+ or )*kept( or \w+)* \(variable\) -> Array -> Object$/m)
    // Not what Node's module loader filled meanwhile (on Node 24, 7.5 kB in 47 objects under ModuleWrap).
    expect(error?.message).not.toContain('ModuleWrap')
  })

  test('keeps the heap snapshots when asked, and prints their paths', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'leak-')), 'snapshots')
    const error = await expect(LEAKING['keeps a closure']!).not.toLeak({ snapshots: folder }).then(() => undefined, (e: Error) => e)
    const files = readdirSync(folder)
    expect(files).toHaveLength(2)
    expect(files.every(file => file.endsWith('.heapsnapshot'))).toBe(true)
    for (const file of files) {
      expect(error?.message).toContain(join(folder, file))
      expect(existsSync(join(folder, file))).toBe(true)
    }
  })
})

describe('retainer traces', () => {
  const directory = mkdtempSync(join(tmpdir(), 'retainers-'))
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  /** Heap snapshots around 100 calls of `fn`, and the ids of the objects in the first. */
  async function snapshotsAround(fn: () => unknown) {
    const gc = getGc()
    gc()
    const before = v8.writeHeapSnapshot(join(directory, `${Date.now()}-before.heapsnapshot`))
    for (let i = 0; i < 100; i++)
      fn()
    gc()
    const after = v8.writeHeapSnapshot(join(directory, `${Date.now()}-after.heapsnapshot`))
    return { before, after, earlier: summarizeHeapSnapshot(before).ids }
  }

  test('name the variable that holds the new objects, or the few a block scope leaves possible', async () => {
    // Vitest runs modules in a block like this one. A slot holding a small integer (`count`) has
    // no edge in a heap snapshot: an edge's number is its slot's up to the first such slot, and
    // known again only at a function (named after its variable). `kept` could be `count`.
    const leak = vm.runInThisContext(`'use strict'; {
      const first = []
      function firstLength() { return first.length }
      let count = 0
      const kept = []
      ;() => {
        first.push({ payload: new Array(120).fill(count) })
        kept.push({ payload: new Array(120).fill(count++) })
        return firstLength()
      }
    }`) as () => number
    const { after, earlier } = await snapshotsAround(leak)
    const { retainers: found } = await findRetainerTraces(after, earlier)
    expect(found.status).toBe('found')
    const paths = found.status === 'found' ? found.traces.map(t => t.path.join(' -> ')) : []
    expect(paths).toContain('first (variable) -> Array -> Object')
    expect(paths).toContain('count or kept (variable) -> Array -> Object')
  })

  test('without memlab, say so; with a snapshot memlab cannot read, give the reason and keep the process', async () => {
    const broken = join(directory, 'broken.heapsnapshot')
    writeFileSync(broken, '{"snapshot":{"meta":')
    expect(await findRetainerTraces(broken, new Set(), { memlab: 'memlab-is-not-installed' })).toEqual({ retainers: { status: 'missing' }, kinds: undefined })
    // By default memlab ends the process on a file it cannot parse: that would be this worker.
    expect(await findRetainerTraces(broken, new Set())).toEqual({
      retainers: { status: 'failed', reason: expect.stringMatching(/^memlab could not analyse the heap snapshot: Error parsing heap snapshot/) },
      kinds: undefined,
    })
  })

  test('the later snapshot is read once: memlab\'s reading gives the same kinds as the file, which is parsed without its edges', async () => {
    const kept: object[] = []
    const { before, after, earlier } = await snapshotsAround(() => kept.push({ payload: new Array(120).fill(kept.length) }))
    const fromFile = summarizeHeapSnapshot(after).kinds
    const { kinds } = await findRetainerTraces(after, earlier)
    expect(kinds).toEqual(fromFile)
    expect(fromFile.get('Object')!.count).toBeGreaterThanOrEqual(100)
    // The file's meta, nodes and strings read alone, as the whole file parsed gives them.
    const whole = JSON.parse(readFileSync(before, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }, nodes: number[] }
    const width = whole.snapshot.meta.node_fields.length
    const idAt = whole.snapshot.meta.node_fields.indexOf('id')
    expect(earlier).toEqual(new Set(whole.nodes.filter((_, i) => i % width === idAt)))
  })
})
