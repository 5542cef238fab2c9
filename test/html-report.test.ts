import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { allocationTree } from '../src/report/allocation-tree.js'
import type { MemoryReport } from '../src/report/model.js'
import type { ProfileTree } from '../src/report/read-allocation-trees.js'
import { buildHistory } from '../src/report/history.js'
import { renderHistoryHtml } from '../src/render/history.js'
import { renderHtmlReport } from '../src/render/html.js'
import { launchChromium, watchedPage } from './helpers/chromium-page.js'
import { hostileProfiledReport, NAMES } from './helpers/hostile-report.js'
import { largeReport } from './helpers/large-report.js'
import { random } from './helpers/fuzz.js'
import { sampleProfile, widestTree } from './helpers/sample-profile.js'

// The HTML report opened from disk in a real Chromium (from @sparticuz/chromium), as a developer
// opens a CI artifact: a launch takes a second or two alone, several on a loaded 2-core machine.
let browser: Browser
const directory = mkdtempSync(join(tmpdir(), 'html-report-'))

beforeAll(async () => {
  browser = await launchChromium()
}, 120_000)
afterAll(async () => {
  await browser?.close()
})

function writeHtml(name: string, report: MemoryReport | string, profileTrees?: ReadonlyMap<string, ProfileTree>): { path: string, url: string } {
  const path = join(directory, name)
  writeFileSync(path, typeof report === 'string' ? report : renderHtmlReport(report, { profileTrees }))
  return { path, url: pathToFileURL(path).href }
}

/** Opens a report and waits until its table is drawn; returns the page and ms from navigation to drawn. */
async function open(url: string) {
  const watched = await watchedPage(browser, url)
  await watched.page.goto(url)
  await watched.page.waitForSelector('tbody tr')
  // Two frames later, what the script drew has been painted.
  const drawnAt = await watched.page.evaluate(() => new Promise<number>(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))))
  return { ...watched, drawnAt }
}

const cellTexts = (page: import('playwright').Page, column: number) =>
  page.$$eval(`#tests tbody tr td:nth-child(${column})`, cells => cells.map(cell => cell.textContent ?? ''))

describe('the HTML report in Chromium', { timeout: 120_000 }, () => {
  const report = largeReport(100)

  test('opens from disk with no request and no console error, and shows the summary and every test', async () => {
    const { url } = writeHtml('100.html', report)
    const { page, problems, requests } = await open(url)
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    const summary = await page.textContent('#summary')
    expect(summary).toContain(`${report.summary.measured} / ${report.summary.tests}measured`)
    expect(summary).toContain(`${report.summary.overBudget}over budget`)
    expect(summary).toContain(`${report.summary.regressed}regressed`)
    expect(await cellTexts(page, 2)).toEqual(report.tests.map(t => t.name))
    // The charts of heaviest tests, files, changes and heaviest by native each drew bars.
    const changed = report.tests.filter(t => t.changes.some(c => c.metric === 'total')).length
    expect(changed).toBeGreaterThan(1)
    expect(await page.$$eval('.charts figure', figures => figures.map(f => f.querySelectorAll('rect').length))).toEqual([12, 5, Math.min(12, changed), 12])
    await page.close()
  })

  test('sorts the table by a metric, both ways, and filters it', async () => {
    const { page } = await open(writeHtml('sort.html', report).url)
    const totals = report.tests.map(t => t.metrics!.total)
    const nameByTotal = (direction: 1 | -1) => report.tests.slice().sort((a, b) => (a.metrics!.total - b.metrics!.total) * direction).map(t => t.name)
    await page.click('th[data-key=total]')
    expect(await page.getAttribute('th[data-key=total]', 'aria-sort')).toBe('descending')
    expect(await cellTexts(page, 2)).toEqual(nameByTotal(-1))
    await page.click('th[data-key=total]')
    expect(await cellTexts(page, 2)).toEqual(nameByTotal(1))
    expect(new Set(totals).size).toBeGreaterThan(90)

    await page.fill('#filter', 'case 42 ')
    expect(await cellTexts(page, 2)).toEqual(['module 2 > case 42 handles input of size 42'])
    await page.fill('#filter', '')
    await page.selectOption('#verdict-filter', 'over-budget')
    expect((await cellTexts(page, 3)).length).toBe(report.summary.overBudget)
    expect(new Set(await cellTexts(page, 3))).toEqual(new Set(['over-budget']))
    await page.close()
  })

  test('a selected test shows its memory across its GCs, with its budget and baseline peak', async () => {
    const { page, problems } = await open(writeHtml('select.html', report).url)
    // The first test has 40 GCs, recorded as 64 points (the cap); the chart draws each.
    const test = report.tests[0]!
    await page.click('#tests tbody tr[data-index="0"]')
    expect(await page.textContent('#detail h2')).toBe(`${test.file} > ${test.name}`)
    const d = await page.getAttribute('#timeline path[data-series="heap + external"]', 'd')
    expect(d!.trim().split(/[ML]/).filter(Boolean)).toHaveLength(test.timeline!.length)
    expect(test.timeline!.length).toBe(64)
    // The budget line and the baseline's peak are drawn, labelled with their figures.
    expect(await page.$$eval('#timeline line.budget', lines => lines.length)).toBe(1)
    expect(await page.$$eval('#timeline line.baseline', lines => lines.length)).toBe(1)
    expect(await page.textContent('#timeline')).toContain('budget 60 MB')
    // The highest point of the total line is the test's peak: its y is the top of every point.
    const ys = d!.trim().split(/[ML]/).filter(Boolean).map(point => Number(point.trim().split(' ')[1]))
    const peakIndex = test.timeline!.findIndex(([, heap, external]) => heap + external === test.metrics!.total)
    expect(Math.min(...ys)).toBe(ys[peakIndex])
    // From the keyboard too: a row takes the focus, Enter selects it.
    await page.focus('#tests tbody tr[data-index="2"]')
    await page.keyboard.press('Enter')
    expect(await page.textContent('#detail h2')).toBe(`${report.tests[2]!.file} > ${report.tests[2]!.name}`)
    expect(problems).toEqual([])
    await page.close()
  })

  /** Every text of every chart on the page: its text, where it starts and ends, and its chart's width; `room` where it was fitted to one. */
  const chartTexts = (page: import('playwright').Page, selector: string) => page.$$eval(`${selector} text`, texts => texts.map((text) => {
    const box = (text as SVGTextElement).getBBox()
    const fit = (text as SVGTextElement).dataset.fit
    return {
      text: text.firstChild?.nodeValue ?? '',
      title: text.querySelector('title')?.textContent,
      left: box.x,
      right: box.x + box.width,
      length: (text as SVGTextElement).getComputedTextLength(),
      room: fit === undefined ? undefined : Number(fit),
      width: (text.closest('svg') as SVGSVGElement).viewBox.baseVal.width,
    }
  }))
  const SI: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }

  test('every chart label fits inside its chart, a long name cut with an ellipsis; y ticks at round values; a failed test says so', async () => {
    const wide = structuredClone(report)
    // Wide letters overflowed the 30 characters a bar label was cut to; a long signed figure, the value column.
    const heaviest = wide.tests.reduce((a, b) => (b.metrics!.total > a.metrics!.total ? b : a))
    heaviest.name = 'W'.repeat(80)
    const change = wide.tests.flatMap(t => t.changes).find(c => c.metric === 'total')!
    Object.assign(change, { delta: -123_456_789, ratio: -0.9 })
    const failed = wide.tests.find(t => t.verdict === 'within-budget')!
    failed.state = 'failed'
    const { page, problems } = await open(writeHtml('labels.html', wide).url)
    await page.click('#tests tbody tr[data-index="0"]')
    const texts = await chartTexts(page, 'svg')
    expect(texts.length).toBeGreaterThan(40)
    for (const t of texts) {
      expect(t.left, `${t.text} starts inside its chart`).toBeGreaterThanOrEqual(-0.5)
      expect(t.right, `${t.text} ends inside its chart`).toBeLessThanOrEqual(t.width + 0.5)
      if (t.room !== undefined)
        expect(t.length, `${t.text} fits its room`).toBeLessThanOrEqual(t.room + 0.5)
    }
    const label = texts.find(t => t.title === `${heaviest.file} > ${heaviest.name}`)!
    expect(label.text).toMatch(/^W{10,}…$/)
    expect(texts.some(t => t.text === '-123.5 MB')).toBe(true)

    // Round ticks: a step of 1, 2, 2.5 or 5 times a power of ten, from 0.
    const values = (await page.$$eval('#timeline .y-tick', found => found.map(t => t.textContent ?? ''))).map((text) => {
      const [figure, unit] = text.split(' ')
      return Number(figure) * SI[unit!]!
    })
    expect(values[0]).toBe(0)
    const step = values[1]!
    const mantissa = step / 10 ** Math.floor(Math.log10(step))
    expect([1, 2, 2.5, 5]).toContain(mantissa)
    expect(values).toEqual(values.map((_, i) => i * step))

    const verdicts = await cellTexts(page, 3)
    expect(verdicts[wide.tests.indexOf(failed)]).toBe('failed, within-budget')
    expect(verdicts.filter(v => v === 'within-budget').length).toBe(wide.tests.filter(t => t.verdict === 'within-budget' && t.state !== 'failed').length)
    expect(problems).toEqual([])
    await page.close()
  })

  // Issue 21: native beside the other figures where a test measured it; a run without the interposer
  // draws the page it drew before.
  test('native: a column, a chart and a line in the detail where measured, none where not; the layout holds', async () => {
    const layout = (page: import('playwright').Page) => page.evaluate(() => ({
      // Wider than the window, the page would scroll sideways.
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      figures: Array.from(document.querySelectorAll('.charts figure')).map((f) => {
        const box = f.getBoundingClientRect()
        return { caption: f.querySelector('figcaption')!.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom }
      }),
      headers: Array.from(document.querySelectorAll('#tests th'), th => th.textContent),
    }))
    const { page, problems } = await open(writeHtml('native.html', report).url)
    const shown = await layout(page)
    expect(shown.overflow).toBeLessThanOrEqual(0)
    expect(shown.headers).toEqual(['file', 'test', 'verdict', 'total', 'heap', 'external', 'rss', 'native', 'retained', 'allocated', 'Δ total'])
    // Four charts in the grid (three a row at 1280 px, the fourth below), none over another.
    expect(shown.figures.map(f => f.caption)).toEqual(['Heaviest tests (peak heap + external)', 'Heaviest files (largest test peak)', 'Biggest changes against the baseline (peak)', 'Heaviest tests (peak native, C heap)'])
    for (const [i, a] of shown.figures.entries()) {
      for (const b of shown.figures.slice(i + 1))
        expect(a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5, `${a.caption} clear of ${b.caption}`).toBe(true)
    }
    const texts = await chartTexts(page, '.charts figure:nth-child(4) svg')
    const byNative = report.tests.slice().sort((a, b) => b.metrics!.native - a.metrics!.native)
    expect(texts.filter(t => t.title !== undefined).map(t => t.title)).toEqual(byNative.slice(0, 12).map(t => `${t.file} > ${t.name}`))
    for (const t of texts) {
      expect(t.left, t.text).toBeGreaterThanOrEqual(-0.5)
      expect(t.right, t.text).toBeLessThanOrEqual(t.width + 0.5)
    }
    // The column holds each test's native, sorts by it, and the detail shows it apart from the peak.
    await page.click('th[data-key=native]')
    expect(await cellTexts(page, 2)).toEqual(byNative.map(t => t.name))
    await page.click('#tests tbody tr:first-child')
    expect(await page.textContent('#detail dl')).toContain(`native (C heap)${(byNative[0]!.metrics!.native / 1e6).toFixed(2).replace(/\.?0+$/, '')} MB (not in the peak`)
    // The baseline of this report was written without native: the page says it was not compared.
    expect(await page.textContent('.uncompared')).toBe(`native: not measured in the compared figures of ${report.tests.length} tests (recorded before native was, or without it), so not compared.`)
    expect(problems).toEqual([])
    await page.close()

    const without = structuredClone(report)
    for (const test of without.tests) test.metrics!.native = Number.NaN
    const plain = await open(writeHtml('no-native.html', without).url)
    const before = await layout(plain.page)
    expect(before.overflow).toBeLessThanOrEqual(0)
    expect(before.headers).not.toContain('native')
    expect(before.figures).toHaveLength(3)
    expect(await plain.page.$$eval('.uncompared', found => found.length)).toBe(0)
    await plain.page.click('#tests tbody tr:first-child')
    expect(await plain.page.textContent('#detail dl')).not.toContain('native')
    expect(plain.problems).toEqual([])
    await plain.page.close()
  })

  test('a budget on heap or external is drawn with its own label', async () => {
    const withHeap = structuredClone(report)
    withHeap.tests[1]!.budget.heap = { bytes: 5e6, pattern: 'test/** > *' }
    const { page } = await open(writeHtml('heap-budget.html', withHeap).url)
    await page.click('#tests tbody tr[data-index="1"]')
    expect(await page.$$eval('#timeline line.budget', lines => lines.length)).toBe(2)
    expect(await page.textContent('#timeline')).toContain('budget heap 5 MB')
    await page.close()
  })

  test('an over-budget test with a heap profile shows where its memory was allocated, as an icicle', async () => {
    const profiled = structuredClone(report)
    const index = profiled.tests.findIndex(t => t.violations.length > 0)
    profiled.tests[index]!.heapProfiles = ['reports/profiles/heavy.heapprofile', 'reports/profiles/gone.heapprofile']
    const trees = new Map<string, ProfileTree>([['reports/profiles/heavy.heapprofile', allocationTree(sampleProfile())], ['reports/profiles/gone.heapprofile', { unreadable: 'no such file' }]])
    const { page, problems, requests } = await open(writeHtml('icicle.html', profiled, trees).url)
    await page.click(`#tests tbody tr[data-index="${index}"]`)
    const frames = await page.$$eval('#detail svg.icicle g.frame', groups => groups.map(g => ({
      x: Number(g.querySelector('rect')!.getAttribute('x')),
      width: Number(g.querySelector('rect')!.getAttribute('width')),
      y: Number(g.querySelector('rect')!.getAttribute('y')),
      label: g.querySelector('text')?.textContent ?? null,
      title: g.querySelector('title')!.textContent,
    })))
    // (root), runTest, keepArrays, from, parse, (garbage collector): one rect each, a row per depth.
    expect(frames).toHaveLength(6)
    expect(frames.map(f => f.y / 18)).toEqual([0, 1, 2, 3, 2, 1])
    // Each callee starts where its caller's previous callee ended: parse after keepArrays' 42 MB, the
    // collector after runTest's 48.1 MB.
    expect(frames.map(f => f.x)).toEqual([0, 0, 0, 0, 604.8, 692.64])
    const heaviest = frames[2]!
    expect(heaviest.label).toBe('keepArrays 42 MB')
    expect(heaviest.title).toBe('keepArrays\nprofiled.test.ts:4\nself 40 MB, total 42 MB (84.0%)')
    // Widths in proportion to the bytes: 42 of 50 MB across the 720 units of the chart.
    expect(heaviest.width).toBeCloseTo(720 * 0.84 - 0.5, 1)
    expect(await page.textContent('#detail .profile-unreadable')).toBe('profile not readable: no such file')
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  test('hostile test and frame names show as text and run nothing', async () => {
    const { report: hostile, profileTrees } = hostileProfiledReport(NAMES)
    const { page, problems, requests } = await open(writeHtml('hostile.html', hostile, profileTrees).url)
    expect(await cellTexts(page, 2)).toEqual(hostile.tests.map(t => t.name))
    // Select every one: the detail, its chart and its icicle show the name as text too.
    for (const [index, test] of hostile.tests.entries()) {
      await page.click(`#tests tbody tr[data-index="${index}"]`)
      expect(await page.textContent('#detail h2')).toBe(`${test.file} > ${test.name}`)
      const titles = await page.$$eval('#detail svg.icicle title', found => found.map(t => t.textContent ?? ''))
      expect(titles[2]!.startsWith(`${test.name || '(anonymous)'}\n`)).toBe(true)
    }
    expect(await page.$$eval('script', scripts => scripts.length)).toBe(2)
    expect(await page.$$eval('img, iframe, object, embed', found => found.length)).toBe(0)
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  test('the history of several runs charts the heaviest tests, a test missing from a run as a gap', async () => {
    const runs = [largeReport(30, 1), largeReport(20, 2), largeReport(30, 3)]
    const history = buildHistory(runs.map((report, i) => ({ label: `runs/${i + 1}/memory.json`, report })))
    const { page, problems, requests } = await open(writeHtml('history.html', renderHistoryHtml(history)).url)
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    expect(await page.$$eval('#history tbody tr td:first-child', cells => cells.map(c => c.textContent))).toEqual(history.tests.map(t => t.key))
    const paths = await page.$$eval('#history-chart path', found => found.map(p => ({ key: p.dataset.series, d: p.getAttribute('d') ?? '' })))
    expect(paths).toHaveLength(8)
    expect(paths.filter(({ d }) => d.match(/M/g)!.length > 1).length).toBeGreaterThan(0)
    for (const { key, d } of paths) {
      const values = history.tests.find(t => t.key === key)!.values
      // One stroke per stretch of runs the test was in: a pen lift (M) after each gap.
      const stretches = values.filter((v, i) => v !== null && (i === 0 || values[i - 1] === null)).length
      expect(d.match(/M/g)).toHaveLength(stretches)
      expect(d.match(/[ML]/g)).toHaveLength(values.filter(v => v !== null).length)
    }
    // Every run named in full, the last one too, inside the chart.
    const texts = await chartTexts(page, '#history-chart')
    expect(texts.filter(t => t.text.startsWith('runs/')).map(t => t.text)).toEqual(['runs/1/memory.json', 'runs/2/memory.json', 'runs/3/memory.json'])
    for (const t of texts) {
      expect(t.left, t.text).toBeGreaterThanOrEqual(-0.5)
      expect(t.right, t.text).toBeLessThanOrEqual(t.width + 0.5)
    }
    await page.close()
  })

  test('the history of native names its figure and the run it left out, which measured none', async () => {
    const unmeasured = structuredClone(largeReport(10, 1))
    for (const test of unmeasured.tests) test.metrics!.native = Number.NaN
    const history = buildHistory([{ label: 'before.json', report: unmeasured }, { label: 'one.json', report: largeReport(10, 2) }, { label: 'two.json', report: largeReport(10, 3) }], 'native')
    const { page, problems } = await open(writeHtml('history-native.html', renderHistoryHtml(history)).url)
    expect(await page.textContent('#environment')).toBe('2 runs, 10 tests; peak native (C heap) per test and run.')
    expect(await page.textContent('#left-out')).toBe('Left out: 1 run that measured no native: before.json')
    expect(await page.$$eval('#history thead th', cells => cells.map(c => c.textContent))).toEqual(['test', 'one.json', 'two.json', 'first → last'])
    expect(problems).toEqual([])
    await page.close()
  })

  test('a change that rounds to nothing reads 0.0%, not -0.0%', async () => {
    const history = buildHistory([largeReport(5, 1), largeReport(5, 1)].map((report, i) => ({ label: `run ${i + 1}`, report })))
    history.tests[0]!.values = [50_000_000, 49_999_000]
    history.tests[1]!.values = [50_000_000, 50_001_000]
    history.tests[2]!.values = [50_000_000, 49_900_000]
    const { page } = await open(writeHtml('history-zero.html', renderHistoryHtml(history)).url)
    const changes = await page.$$eval('#history tbody tr td:last-child', cells => cells.map(c => c.textContent))
    expect(changes.slice(0, 3)).toEqual(['0.0%', '0.0%', '-0.2%'])
    await page.close()
  })

  test('100 and 10,000 tests: file size and time to the drawn table', async () => {
    const figures: string[] = []
    for (const count of [100, 10_000]) {
      const { path, url } = writeHtml(`${count}.html`, largeReport(count))
      const size = statSync(path).size
      const { page, drawnAt, problems } = await open(url)
      expect(problems).toEqual([])
      // The table shows a page of rows at a time, and says how many there are.
      expect(await page.textContent('#row-count')).toBe(`${count} of ${count} tests`)
      figures.push(`${count} tests: ${(size / 1e6).toFixed(2)} MB, drawn ${Math.round(drawnAt)} ms after navigation`)
      if (count === 10_000)
        expect(size).toBeLessThan(10e6)
      await page.close()
    }
    // The worst case: every test's timeline full (64 points), each figure with all its digits.
    const worst = largeReport(10_000)
    const next = random(7)
    for (const test of worst.tests) test.timeline = Array.from({ length: 64 }, (_, i) => [i >> 1, Math.round(test.metrics!.heap * next()), Math.round(test.metrics!.external * next())])
    const { path, url } = writeHtml('worst.html', worst)
    const size = statSync(path).size
    expect(size).toBeLessThan(10e6)
    const { drawnAt, problems } = await open(url)
    expect(problems).toEqual([])
    figures.push(`10000 tests with 64 points each: ${(size / 1e6).toFixed(2)} MB, drawn ${Math.round(drawnAt)} ms after navigation`)
    // And the heap profiles of the 50 heaviest tests, each tree at the 300 nodes a page keeps, no frame shared.
    const heaviest = worst.tests.slice().sort((a, b) => b.metrics!.total - a.metrics!.total).slice(0, 50)
    const trees = new Map(heaviest.map((test, i) => {
      test.heapProfiles = [`reports/profiles/${i}.heapprofile`]
      return [`reports/profiles/${i}.heapprofile`, widestTree(i)] as const
    }))
    const profiled = writeHtml('worst-profiled.html', worst, trees)
    const profiledSize = statSync(profiled.path).size
    expect(profiledSize).toBeLessThan(10e6)
    const opened = await open(profiled.url)
    await opened.page.click('th[data-key=total]')
    await opened.page.click('#tests tbody tr:first-child')
    expect(await opened.page.$$eval('#detail svg.icicle rect', rects => rects.length)).toBe(300)
    expect(opened.problems).toEqual([])
    figures.push(`with 50 profiles of 300 frames: ${(profiledSize / 1e6).toFixed(2)} MB (+${((profiledSize - size) / 1e3).toFixed(0)} kB), drawn ${Math.round(opened.drawnAt)} ms after navigation`)
    console.log(`HTML report: ${figures.join('; ')}`)
  })
})
