import { describe, expect, test } from 'vitest'
import { compileFileBudgets, fileBudgetOf } from '../../src/report/file-budgets.js'
import { readCgroupMemory, runnerMemory } from '../../src/reporter/cgroup.js'
import { type ReportFile, withFileBudget, workerGrowth } from '../../src/report/file-model.js'
import { runnerFit } from '../../src/report/runner-fit.js'

const MB = 1e6
const MiB = 2 ** 20

function file(name: string, worker: number, order: number, figures: { rss?: number, heap?: number, retained?: number, grew?: number, at?: [number, number] }): ReportFile {
  const { rss = 100 * MB, heap = 20 * MB, retained = 10 * MB, grew = 0, at = [order * 10, order * 10 + 10] } = figures
  return {
    project: '',
    file: name,
    worker,
    order,
    startedAt: at[0],
    endedAt: at[1],
    metrics: { total: heap, heap, external: 0, rss, native: Number.NaN, retained, grew, gcCount: 0, gcTime: 0, duration: at[1] - at[0] },
    rssMethod: 'kernel',
    retainedGc: 'full',
    heapLimit: 4e9,
    budget: {},
    violations: [],
  }
}

describe('workers that run several files', () => {
  test('the files that grew a worker most come first; growth under 1 MiB is bookkeeping, not a cause; one-file workers are left out', () => {
    const growth = workerGrowth([
      file('a', 1, 1, { retained: 12 * MB, grew: 6 * MB }),
      file('b', 1, 2, { retained: 22 * MB, grew: 10 * MB }),
      file('c', 1, 3, { retained: 22.5 * MB, grew: 0.5 * MB }),
      file('d', 1, 4, { retained: 52.5 * MB, grew: 30 * MB }),
      file('alone', 2, 1, { grew: 90 * MB }),
    ])
    expect(growth).toHaveLength(1)
    expect(growth[0]!.causes.map(f => f.file)).toEqual(['d', 'b', 'a'])
    // From what it held before its first file (12 - 6 MB) to after its last.
    expect(growth[0]!.grew).toBe(46.5 * MB)
    expect(growth[0]!.files.map(f => f.file)).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('the runner fit', () => {
  const runner = { bytes: 8e9, source: 'option' as const }

  test('needs the concurrency heaviest files and the main process; the busiest moment is the files that overlapped', () => {
    const files = [
      file('a', 1, 1, { rss: 1e9, at: [0, 100] }),
      file('b', 2, 1, { rss: 2e9, at: [50, 150] }),
      file('c', 3, 1, { rss: 3e9, at: [200, 300] }),
      // Starts the millisecond `c` ends in the same worker's place: not beside it.
      file('d', 4, 1, { rss: 0.5e9, at: [300, 400] }),
    ]
    const fit = runnerFit(files, { runner, concurrency: 2, main: 0.2e9, failAbove: undefined, cores: 8 })!
    expect(fit.needed).toBe(5.2e9)
    expect(fit.share).toBeCloseTo(0.65)
    expect(fit.fits).toBe(true)
    expect(fit.busiest).toEqual({ needed: 3.2e9, files: [{ project: '', file: 'a', rss: 1e9 }, { project: '', file: 'b', rss: 2e9 }] })
    // 80% of 8 GB less the main process, in workers of the heaviest file's 3 GB.
    expect(fit.recommendedMaxWorkers).toBe(2)
    // Never more than the cores, nor the files.
    expect(runnerFit(files, { runner: { bytes: 1e12, source: 'option' }, concurrency: 2, main: 0, failAbove: undefined, cores: 3 })!.recommendedMaxWorkers).toBe(3)
    expect(runnerFit(files, { runner: { bytes: 1e12, source: 'option' }, concurrency: 2, main: 0, failAbove: undefined, cores: 64 })!.recommendedMaxWorkers).toBe(4)
  })

  test('failAbove decides the fit; the heap limit is half again the heaviest heap, at least 128 MiB', () => {
    const files = [file('a', 1, 1, { rss: 3e9, heap: 300 * MiB }), file('b', 2, 1, { rss: 3e9, heap: 10 * MiB })]
    const fit = runnerFit(files, { runner, concurrency: 2, main: 0, failAbove: 0.7, cores: 8 })!
    expect(fit.share).toBe(0.75)
    expect(fit.fits).toBe(false)
    expect(fit.recommendedMaxWorkers).toBe(1)
    expect(fit.recommendedHeapLimit).toBe(450 * MiB)
    expect(runnerFit([file('a', 1, 1, { heap: 10 * MiB })], { runner, concurrency: 4, main: 0, failAbove: undefined, cores: 8 })!.recommendedHeapLimit).toBe(128 * MiB)
    expect(runnerFit([file('a', 1, 1, { rss: Number.NaN })], { runner, concurrency: 1, main: 0, failAbove: undefined, cores: 8 })).toBeUndefined()
  })
})

describe('the cgroup reader', () => {
  const tree = (files: Record<string, string>) => (path: string) => files[path]

  test('v2: the smallest memory.max from the cgroup up, its charge and its OOM kills', () => {
    const read = tree({
      '/proc/self/cgroup': '0::/ci/job\n',
      '/sys/fs/cgroup/ci/job/memory.current': '1048576\n',
      '/sys/fs/cgroup/ci/job/memory.max': 'max\n',
      '/sys/fs/cgroup/ci/memory.max': '7516192768\n',
      '/sys/fs/cgroup/ci/job/memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    })
    expect(readCgroupMemory(read)).toEqual({ version: 2, path: '/ci/job', limit: 7516192768, current: 1048576, oomKills: 1 })
  })

  test('v1: an unlimited cgroup has no limit; inside a container the mount is the cgroup itself', () => {
    const read = tree({
      '/proc/self/cgroup': '5:devices:/\n4:memory:/docker/abc\n0::/\n',
      '/sys/fs/cgroup/memory/memory.usage_in_bytes': '2243915776\n',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    })
    expect(readCgroupMemory(read)).toEqual({ version: 1, path: '/docker/abc', limit: undefined, current: 2243915776, oomKills: 2 })
    expect(runnerMemory(readCgroupMemory(read), 16e9)).toEqual({ bytes: 16e9, source: 'physical memory' })
    expect(runnerMemory({ version: 1, path: '/', limit: 4e9, current: 0, oomKills: undefined }, 16e9)).toEqual({ bytes: 4e9, source: 'cgroup v1' })
    expect(readCgroupMemory(tree({}))).toBeUndefined()
  })

  test('this machine\'s own files', () => {
    const cgroup = readCgroupMemory()
    if (process.platform !== 'linux') {
      expect(cgroup).toBeUndefined()
      return
    }
    expect(cgroup).toBeDefined()
    expect(cgroup!.current).toBeGreaterThan(0)
    const memory = runnerMemory(cgroup)
    expect(memory.bytes).toBeGreaterThan(0)
    expect(memory.bytes).toBeLessThanOrEqual(cgroup!.limit ?? memory.bytes)
  })
})

test('fileBudgets: later keys win metric by metric, and a file over a limit is a violation naming the key', () => {
  const rules = compileFileBudgets({ '**': { total: '300MB', rss: '1GB' }, 'test/heavy/**': { rss: '2GB' } })
  expect(fileBudgetOf(rules, 'test/heavy/a.test.ts')).toEqual({ total: { bytes: 300e6, pattern: '**' }, rss: { bytes: 2e9, pattern: 'test/heavy/**' } })
  const over = withFileBudget(file('test/light/b.test.ts', 1, 1, { rss: 1.5e9, heap: 100 * MB }), rules)
  expect(over.violations).toEqual([{ metric: 'rss', value: 1.5e9, limit: 1e9, pattern: '**' }])
  expect(withFileBudget(file('test/heavy/a.test.ts', 1, 1, { rss: 1.5e9 }), rules).violations).toEqual([])
})
