import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, test } from 'vitest'
import type { ReportFile } from '../src/report/file-model.js'
import type { MemoryReport } from '../src/report/model.js'
import { renderTerminalSummary } from '../src/render/terminal.js'
import { launchChromium, watchedPage } from './helpers/chromium-page.js'
import { fixturePath, runFixture } from './helpers/run-fixture.js'

const MB = 1e6

function freshRun(fixture: string) {
  rmSync(join(fixturePath(fixture), 'reports'), { recursive: true, force: true })
  return runFixture(fixture, {}, { captureOutput: true })
}

function readReport(fixture: string): MemoryReport {
  return JSON.parse(readFileSync(join(fixturePath(fixture), 'reports/memory.json'), 'utf8')) as MemoryReport
}

const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(JSON.parse(readFileSync(new URL('../schema/memory-report.v1.schema.json', import.meta.url), 'utf8')) as object)

const byFile = (report: MemoryReport): Record<string, ReportFile> => Object.fromEntries((report.files ?? []).map(f => [f.file, f]))

describe('every test file over its whole life in its worker', () => {
  test('ten files in one worker (isolate: false): the file that keeps 50 MB is named as the cause, the files after it as holding it, in every format', async () => {
    const run = await freshRun('files-ten')
    const report = readReport('files-ten')
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    const files = byFile(report)
    expect(Object.keys(files).sort()).toEqual(['f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f08', 'f09', 'f10'].map(f => `${f}.test.ts`))
    const workers = new Set(report.files!.map(f => f.worker))
    expect(workers.size).toBe(1)
    expect(report.files!.map(f => f.order).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    // The cause: 50 MB of numbers, in the worker from f04 on.
    const cause = files['f04.test.ts']!
    // 50 MB, less what the full GC at its end freed of garbage older than f04 (the file before it
    // ended on a young GC): 49.96 MB on Vitest 5.
    expect(cause.metrics.grew).toBeGreaterThan(49 * MB)
    expect(cause.retainedGc).toBe('full')
    expect(cause.metrics.total).toBeGreaterThan(50 * MB)
    // Its one test measured none of it: the cache was built as the file loaded.
    expect(report.tests.find(t => t.file === 'f04.test.ts')!.metrics!.total).toBeLessThan(1 * MB)
    for (const file of report.files!.filter(f => f !== cause)) {
      // The others grew the worker by the runner's bookkeeping only (a first file: Vitest's own start, a few MB).
      expect(file.metrics.grew, file.file).toBeLessThan(file.order === 1 ? 15 * MB : 1 * MB)
      // The victims: every file after f04 ran in a worker holding its cache.
      if (file.order > cause.order)
        expect(file.metrics.retained, file.file).toBeGreaterThan(50 * MB)
      else
        expect(file.metrics.retained, file.file).toBeLessThan(30 * MB)
      expect(file.metrics.rss, file.file).toBeGreaterThan(file.metrics.total)
      expect(file.rssMethod).toBe('kernel')
    }

    // fileBudgets: f04 grew past its 20 MB, which fails the run; the key for missing/** names no file.
    expect(cause.violations).toEqual([{ metric: 'grew', value: cause.metrics.grew, limit: 20e6, pattern: 'f04.test.ts' }])
    expect(report.unmatchedFileBudgets).toEqual(['missing/**'])
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain('1 test file is over its fileBudgets: f04.test.ts')
    expect(run.output).toContain('fileBudgets key that matched no test file: "missing/**"')

    // The terminal names the cause and sizes the runner against the 4 GB the option gives it.
    expect(run.output).toMatch(new RegExp(`Worker ${cause.worker} grew [\\d.]+ MB over 10 files; grew it most: f04\\.test\\.ts \\+(49|5\\d)\\.\\d+ MB`))
    expect(run.output).toMatch(/Runner: needs [\d.]+ MB with its heaviest file .* of the 4 GB this runner gives it \(option\)\. Recommended: maxWorkers \d+, heapLimit '128MiB'\./)
    expect(report.runner).toMatchObject({ runner: { bytes: 4e9, source: 'option' }, concurrency: 1, fits: true, recommendedHeapLimit: 128 * 2 ** 20 })

    const markdown = readFileSync(join(fixturePath('files-ten'), 'reports/memory.md'), 'utf8')
    expect(markdown).toContain('| ❌ f04.test.ts |')
    expect(markdown).toMatch(/grew it most: f04\.test\.ts \+(49|5\d)\./)

    // The HTML page, drawn in Chromium: the files' table, f04's growth marked over its budget, and the worker's chart.
    const browser = await launchChromium()
    try {
      const url = pathToFileURL(join(fixturePath('files-ten'), 'reports/memory.html')).href
      const { page, problems } = await watchedPage(browser, url)
      await page.goto(url)
      await page.waitForSelector('#file-table tbody tr')
      expect(problems).toEqual([])
      expect(await page.$$eval('#file-table tbody tr', rows => rows.length)).toBe(10)
      expect(await page.$$eval('#file-table tbody td.over', cells => cells.map(cell => cell.parentElement!.firstElementChild!.textContent))).toEqual(['f04.test.ts'])
      expect(await page.$$eval('.worker-chart path.line', paths => paths.length)).toBe(2)
      expect(await page.textContent('#runner-fit')).toMatch(/^Runner: needs [\d.]+ MB/)
    }
    finally {
      await browser.close()
    }
  }, 120_000)

  test('a file whose import allocates 100 MB outside any test: its file peak shows it, its test does not', async () => {
    const run = await freshRun('files-whole-life')
    expect(run.exitCode).toBe(0)
    const report = readReport('files-whole-life')
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    const files = byFile(report)
    const heavy = files['heavy-import.test.ts']!
    const light = files['light.test.ts']!
    expect(heavy.metrics.heap).toBeGreaterThan(100 * MB)
    expect(heavy.metrics.heap - light.metrics.heap).toBeGreaterThan(95 * MB)
    expect(heavy.metrics.rss - light.metrics.rss).toBeGreaterThan(95 * MB)
    // Kept by the module until the file's end.
    expect(heavy.metrics.retained).toBeGreaterThan(100 * MB)
    expect(report.tests.find(t => t.file === 'heavy-import.test.ts')!.metrics!.total).toBeLessThan(1 * MB)
    // Built and dropped at import: in the file's peak, not in what the worker held at its end.
    const spike = files['spike.test.ts']!
    expect(spike.metrics.heap - light.metrics.heap).toBeGreaterThan(75 * MB)
    expect(spike.metrics.retained).toBeLessThan(light.metrics.retained + 5 * MB)
    expect(report.tests.find(t => t.file === 'spike.test.ts')!.metrics!.total).toBeLessThan(1 * MB)
    // Each file in a worker of its own, from the worker's start.
    expect(heavy.order).toBe(1)
    expect(light.order).toBe(1)
    expect(spike.order).toBe(1)
    expect(report.runner!.runner.source).toMatch(/^(cgroup v1|cgroup v2|physical memory)$/)
  }, 120_000)

  test('a worker killed with SIGKILL from outside: the signal, the file, the test, its memory and the file beside it', async () => {
    const run = await freshRun('files-killed')
    expect(run.exitCode).toBe(1)
    const report = readReport('files-killed')
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    expect(report.workerDeaths).toHaveLength(1)
    const death = report.workerDeaths![0]!
    expect(death).toMatchObject({ signal: 'SIGKILL', code: null, file: 'killed.test.ts', test: { name: 'holds 30 MB, then is killed from outside' }, alongside: [{ file: 'beside.test.ts' }] })
    expect(death.test!.memory.heapLimit).toBeGreaterThan(0)
    // This machine's cgroup counts OOM kills (v1's memory.oom_control here); kill -9 is not one.
    if (death.cgroupOomKills !== null)
      expect(death.cgroupOomKills).toBe(0)
    // The file that ran beside it kept its figures.
    expect(byFile(report)['beside.test.ts']!.metrics.total).toBeGreaterThan(0)
    // As the terminal prints it (a run whose worker died prints through Vitest's logger after the runFixture helper stopped capturing).
    expect(renderTerminalSummary(report, { top: 10 })).toMatch(/✗ Worker \d+ killed by SIGKILL.* in killed\.test\.ts during "holds 30 MB, then is killed from outside" \(heap .*\); running beside it: beside\.test\.ts/)
  }, 120_000)

  test('a worker that ends with an exit code during a file is named with its code', async () => {
    const run = await freshRun('files-exit')
    expect(run.exitCode).toBe(1)
    const report = readReport('files-exit')
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    expect(report.workerDeaths).toEqual([expect.objectContaining({ signal: null, code: 3, file: 'exits.test.ts', test: expect.objectContaining({ name: 'ends its worker with code 3' }), alongside: [] })])
    expect(renderTerminalSummary(report, { top: 10 })).toMatch(/✗ Worker \d+ exited with code 3.* in exits\.test\.ts during "ends its worker with code 3"/)
  }, 120_000)
})
