import { describe, expect, test } from 'vitest'
import { showsTestsInBrowser } from '../../src/plugin/plugin.js'
import { annotateEndedTest, memoryAnnotations } from '../../src/worker/annotations.js'
import { memory } from '../helpers/sample-report.js'

const MB = 1e6

describe('memoryAnnotations', () => {
  test('a measured test: its figures on one line', () => {
    expect(memoryAnnotations(memory(40 * MB))).toEqual([
      { type: 'memory', message: 'total 40 MB · heap 10 MB · external 30 MB · rss 20 MB · native 5 MB · retained 1 kB · allocated 80 MB · 1 GC' },
    ])
  })

  test('a test over budget: also which limits it broke, in the unit family of its budget', () => {
    const limit = { bytes: 32 * 2 ** 20, family: 'iec' as const, pattern: 'src/** > parses *' }
    const [figures, failure] = memoryAnnotations(memory(40 * MB, { gcCount: 3, violations: [{ metric: 'total', value: 40 * MB, limit }] }))
    expect(figures!.message).toMatch(/^total 38\.15 MiB · .* · 3 GCs$/)
    expect(failure).toEqual({ type: 'memory: over budget', message: 'total 38.15 MiB > 32 MiB (budget "src/** > parses *")' })
  })

  test('a concurrent test: says why it has no figures', () => {
    expect(memoryAnnotations({ attributable: false, reason: 'concurrent', retry: 0, repeat: 0, budget: { limits: {}, patterns: [] } })).toEqual([
      { type: 'memory', message: 'not measured: the test ran concurrently with others in its worker (test.concurrent)' },
    ])
  })
})

describe('annotateEndedTest', () => {
  test('annotates as Vitest would during the test, and leaves the ended state as it was', async () => {
    const seen: Array<{ state: string, message: string, type?: string }> = []
    const task = {
      result: { state: 'pass' },
      context: {
        // Vitest's own check: a test annotates itself only while it runs.
        annotate: async (message: string, type?: string) => {
          seen.push({ state: task.result.state, message, type })
        },
      },
    }
    const done = annotateEndedTest(task, { type: 'memory', message: 'total 1 MB' })
    expect(task.result.state).toBe('pass')
    await done
    expect(seen).toEqual([{ state: 'run', message: 'total 1 MB', type: 'memory' }])
  })

  test('puts the state back when annotate throws', () => {
    const task = { result: { state: 'fail' }, context: { annotate: (): Promise<unknown> => { throw new Error('no') } } }
    expect(() => annotateEndedTest(task, { type: 'memory', message: 'x' })).toThrow('no')
    expect(task.result.state).toBe('fail')
  })
})

describe('showsTestsInBrowser: when annotations are on by default', () => {
  test.each([
    [{ ui: true, reporters: [] }, true],
    [{ ui: false, reporters: [['html', {}]] }, true],
    [{ reporters: [['default', {}], ['html', { outputFile: 'x.html' }]] }, true],
    [{ ui: false, reporters: [['default', {}]] }, false],
    [{ reporters: [['verbose', {}], ['github-actions', {}], ['junit', {}]] }, false],
    [{ reporters: [{ onInit() {} }] }, false],
  ])('%j: %s', (config, expected) => {
    expect(showsTestsInBrowser(config)).toBe(expected)
  })
})
