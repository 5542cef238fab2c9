import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { measureLeak } from '../src/index.js'
import { robustSlope } from '../src/measure/leaks.js'
import { CLEAN, LEAKING } from '../bench/leak-cases.mjs'

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
  })

  test('rejects bad options with the accepted form', async () => {
    await expect(measureLeak(() => {}, { iterations: 2 })).rejects.toThrowError('Invalid iterations: 2. Expected a whole number, 3 or more.')
    await expect(measureLeak(() => {}, { threshold: '1 kilobyte' })).rejects.toThrowError('Invalid threshold: "1 kilobyte".')
  })

  test('the slope ignores one outlying sample', () => {
    expect(robustSlope([0, 1, 2, 3, 4, 5], [0, 10, 20, 500, 40, 50])).toBe(10)
  })
})

describe('toLeak', () => {
  test('.not.toLeak() passes on clean code and fails on a leak, naming what grew', async () => {
    await expect(CLEAN['sets and deletes a map entry']!).not.toLeak()
    await expect(LEAKING['pushes to a module-level array']!).toLeak()
    const error = await expect(LEAKING['pushes to a module-level array']!).not.toLeak().then(() => undefined, (e: Error) => e)
    expect(error?.message).toMatch(/^expected the function not to leak, but it kept [\d.]+ kB per call \([\d.]+ kB over 800 calls after 100 warm-up calls; the threshold is 256 B per call\)$/m)
    expect(error?.message).toMatch(/^ {2}retained after full GCs, sample by sample: 0 B, /m)
    expect(error?.message).toContain('Objects that grew over 100 more calls (heap snapshots before and after):')
    // 100 more calls kept 100 more { payload } objects and their arrays.
    expect(error?.message).toMatch(/^ +\+1\d\d +\+[\d.]+ kB {2}Object$/m)
    expect(error?.message).toMatch(/^ +\+1\d\d +\+[\d.]+ kB {2}\(array\)$/m)
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
