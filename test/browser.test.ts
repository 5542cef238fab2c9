import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { readBaseline, readReport } from '../src/report/files.js'
import type { TestMemory } from '../src/worker/test-recorder.js'
import { fixturePath, runFixture } from './helpers/run-fixture.js'

interface Reading {
  total: number
  heap: number
  external: number
  retained: number
  gcCount: number
  rssMethod: string
  dom: { nodes: number, documents: number, listeners: number }
}

// Real Chromium (from @sparticuz/chromium) driven by Vitest's Playwright provider: a run takes about
// 5 s alone and several times that on a loaded 2-core machine, where a test of several runs went past
// 180 s twice.
describe('browser mode, Chromium through Playwright', { timeout: 300_000 }, () => {
  test('measures known allocations, and fails toStayUnder over budget with the figures', async () => {
    const run = await runFixture('browser-chromium')
    const byName = Object.fromEntries(run.tests.map(t => [t.fullName, t]))
    const reading = (name: string) => byName[name]!.meta.reading as Reading

    const array = reading('a 50 MB typed array')
    // ArrayBuffer contents are external memory, as in Node; the heap holds only the small wrapper.
    expect(array.external).toBeGreaterThanOrEqual(50_000_000)
    expect(array.external).toBeLessThan(50_000_000 + 1_000)
    expect(array.heap).toBeLessThan(64_000)
    expect(array.rssMethod).toBe('none')

    // Each {a, b} object is 20 B with pointer compression (map, properties, elements, two fields),
    // and the array holds 4 B per element: 2.4 MB live at the end. The peak also counts the
    // array's outgrown backing stores, not yet collected: within twice that.
    const objects = reading('100,000 small objects')
    expect(objects.heap).toBeGreaterThanOrEqual(2_400_000)
    expect(objects.heap).toBeLessThan(4_800_000)
    expect(objects.retained).toBeLessThan(100_000)

    // What a measurement costs the page: the replies of the probe's commands, 7 to 8 kB once warm,
    // up to 18 kB measured on a page's first few measurements (code compiled on first use), and
    // 36.6 kB once on a loaded machine.
    expect(reading('a no-op').total).toBeLessThan(48_000)

    const dom = reading('1,000 detached DOM nodes kept')
    expect(dom.dom).toEqual({ nodes: 1000, documents: 0, listeners: 0 })

    expect(byName['toStayUnder passes under its budget']).toMatchObject({ state: 'passed' })
    // Bytes per call over five rounds of 10,000 calls. With pointer compression a small integer is
    // 4 B: 1,000 of them are a 4,000 B element store plus the array and its header (24 B); the
    // rounds' 40 MB take GCs, read from the page's trace. An ArrayBuffer's 4 kB are external.
    const perCall = (name: string) => byName[name]!.meta.perCall as { bytesPerCall: number, gcCount: number }
    expect(perCall('1,000 small integers per call').bytesPerCall).toBeGreaterThanOrEqual(4024)
    expect(perCall('1,000 small integers per call').bytesPerCall).toBeLessThan(4024 * 1.05)
    expect(perCall('1,000 small integers per call').gcCount).toBeGreaterThan(0)
    expect(perCall('a 4 kB ArrayBuffer per call').bytesPerCall).toBeGreaterThanOrEqual(4096)
    expect(perCall('a 4 kB ArrayBuffer per call').bytesPerCall).toBeLessThan(4096 * 1.1)
    // The round trips of a window cost the page 7 to 18 kB: 1 to 2 B per call of 10,000; 29 B measured.
    expect(perCall('nothing per call').bytesPerCall).toBeLessThan(64)
    expect(byName['toAllocateUnder passes under its budget']).toMatchObject({ state: 'passed' })
    expect(byName['toAllocateUnder fails over its budget']!.errors[0]).toMatch(/^expected the function to allocate at most 4 kB per call, but it allocated 4\.0\d kB per call\n/)
    expect(byName['toAllocateUnder fails over its budget']!.errors[0]).toMatch(/time per call: [\d.]+ µs, [\d,]+ calls\/s \(performance\.now\(\) over one loop\)$/m)
    expect(byName['toStayUnder on rss says a page has none']).toMatchObject({ state: 'passed' })
    const over = byName['toStayUnder fails over its budget']!
    expect(over.state).toBe('failed')
    expect(over.errors[0]).toContain('expected the function to stay under 10 MB of peak memory (heap + external), but its peak was 20')
    expect(over.errors[0]).toMatch(/external\s+20 MB/)
    expect(over.errors[0]).toMatch(/rss\s+-\s+not measured in a browser page/)
  })

  test('the same workload in two fresh Chromium runs measures the same peak (deterministic V8 flags)', async () => {
    const heaps = []
    for (let run = 0; run < 2; run++) {
      const { tests } = await runFixture('browser-chromium', { testNamePattern: 'small objects' })
      heaps.push((tests.find(t => t.fullName === '100,000 small objects')!.meta.reading as Reading).heap)
    }
    // Measured: 0.3% apart with the flags memoryBudget() adds, up to 20% without them.
    expect(Math.max(...heaps) / Math.min(...heaps) - 1, `heaps: ${heaps.join(', ')}`).toBeLessThan(0.01)
  })

  test('not.toLeak() fails for a widget that keeps DOM, a listener or a cache, and says what it kept per call', async () => {
    const run = await runFixture('browser-chromium', { testNamePattern: 'a widget that' })
    const byName = Object.fromEntries(run.tests.map(t => [t.fullName, t]))
    const error = (flaw: string) => byName[`a widget that ${flaw}, mounted and destroyed`]!.errors[0] ?? ''
    expect(byName['a widget that none, mounted and destroyed']).toMatchObject({ state: 'passed' })
    // Six nodes per mount (div, ul, two li, two texts): on the V8 heap only their wrappers, about 20 B
    // per call, under the 24 B threshold; the DOM count is what finds them.
    expect(error('keeps detached DOM')).toMatch(/but it kept \d+ B and 6 DOM nodes per call/)
    expect(error('keeps detached DOM')).toContain('DOM kept per call after full GCs: +6 DOM nodes, 0 event listeners, 0 documents')
    expect(error('leaves a window listener')).toMatch(/but it kept \d+ B and 6 DOM nodes, 1 event listeners per call/)
    // 256 small integers per call: 1 kB, the array's elements and header.
    expect(error('grows a module cache')).toMatch(/but it kept 1\.0\d kB per call/)
    expect(error('grows a module cache')).toContain('DOM kept per call after full GCs: 0 DOM nodes, 0 event listeners, 0 documents')

    // Heap snapshots over CDP, compared in the Vitest process as in Node: what grew, what holds it.
    expect(error('keeps detached DOM')).toMatch(/^ +\+100 +\+[\d.]+ kB {2}<div>$/m)
    expect(error('keeps detached DOM')).toMatch(/^ +\+200 +\+[\d.]+ kB {2}<li>$/m)
    expect(error('keeps detached DOM')).toMatch(/^ +[\d.]+ kB in 600 objects {2}detached \(variable\) -> Array -> Detached <div>$/m)
    expect(error('leaves a window listener')).toMatch(/^ +\+100 +\+[\d.]+ kB {2}V8EventListener$/m)
    expect(error('grows a module cache')).toMatch(/^ +[\d.]+ kB in 200 objects {2}cache \(variable\) -> Array ×2$/m)
  })

  test('test files run one at a time: they share the page\'s heap', async () => {
    const run = await runFixture('browser-chromium-files')
    expect(run.tests.map(t => t.state)).toEqual(['passed', 'passed'])
    const totals = run.tests.find(t => t.file === 'measures.test.ts')!.meta.totals as number[]
    // Side by side, the other file's objects showed in several of 40 no-ops, 0.6 to 1.2 MB each; one
    // at a time, the first no-op read up to 37.7 kB on a loaded machine (code compiled on first use).
    expect(Math.max(...totals), `totals: ${totals.join(', ')}`).toBeLessThan(48_000)
  })

  test('a browser project other than Chromium through Playwright runs unmeasured, and the run says so once', async () => {
    const run = await runFixture('browser-firefox', {}, { captureOutput: true })
    expect(run.exitCode).toBe(0)
    const notes = run.output.split('\n').filter(line => line.includes('Not measured'))
    expect(notes).toHaveLength(1)
    expect(notes[0]).toContain('project "firefox" (browser mode in firefox with the playwright provider: memory is measured in Chromium through the Playwright provider only (over CDP))')
  })

  test('a Node and a Chromium project running the same file: distinct tests in the report and the baseline, the browser named', async () => {
    const root = fixturePath('browser-and-node')
    rmSync(join(root, 'reports'), { recursive: true, force: true })
    const run = await runFixture('browser-and-node', { update: true })
    expect(run.exitCode).toBe(0)

    const report = readReport(join(root, 'reports/memory.json'))
    // Vitest names a browser instance's project after its parent and the browser.
    expect(report.tests.map(t => [t.project, t.browser, t.file, t.name])).toEqual([
      ['ui (chromium)', 'chromium', 'shared.test.ts', 'keeps a 10 MB typed array'],
      ['unit', null, 'shared.test.ts', 'keeps a 10 MB typed array'],
    ])
    // Each measured where it ran: RSS in the Node worker, DOM counts in the page.
    const [browser, node] = report.tests
    expect(browser).toMatchObject({ rssMethod: 'none', metrics: { rss: null } })
    expect(browser!.dom).toBeDefined()
    expect(node!.rssMethod).not.toBe('none')
    expect(node!.dom).toBeUndefined()
    for (const t of report.tests) {
      expect(t.metrics!.external, t.project).toBeGreaterThanOrEqual(10_000_000)
      expect(t.metrics!.external, t.project).toBeLessThan(10_000_000 + 1_000)
    }

    const baseline = readBaseline(join(root, 'reports/baseline.json'))!
    expect(Object.keys(baseline.tests).sort()).toEqual([
      '[ui (chromium)] shared.test.ts > keeps a 10 MB typed array',
      '[unit] shared.test.ts > keeps a 10 MB typed array',
    ])
    expect(baseline.tests['[ui (chromium)] shared.test.ts > keeps a 10 MB typed array']!.rss).toBeNull()
    expect(baseline.tests['[unit] shared.test.ts > keeps a 10 MB typed array']!.rss).toBeGreaterThan(9_000_000)
  })

  describe('every test recorded in the page', () => {
    const root = fixturePath('browser-chromium-pertest')
    const record = (run: Awaited<ReturnType<typeof runFixture>>, name: string) => run.tests.find(t => t.fullName === name)!.meta.memory as TestMemory
    // cost.test.ts only times the recording (see the README's figures): 100 no-ops, left out here.
    const recorded = () => runFixture('browser-chromium-pertest', { exclude: ['cost.test.ts', '**/node_modules/**'] })

    test('each test gets its record in task.meta, as in Node, with DOM counts and no RSS; config budgets fail a test over them', async () => {
      rmSync(join(root, 'reports'), { recursive: true, force: true })
      const run = await recorded()
      expect(run.tests.length).toBe(17)
      for (const t of run.tests)
        expect(record(run, t.fullName), t.fullName).toMatchObject({ attributable: true, rssMethod: 'none' })
      // Each file starts from a full GC, as in a fresh Node worker: the file before left its frame as garbage.
      const firstOfEach = ['keeps a 20 MB typed array (times FIXTURE_SCALE)', 'under the budget', 'adds 1,000 DOM nodes', 'calls toStayUnder without await']
      expect(firstOfEach.map(name => [name, record(run, name).baselineGc])).toEqual(firstOfEach.map(name => [name, 'full']))

      // Kept to the end: external exactly the array (and its 47 to 52 B of wrapper), retained after a full GC.
      // The heap holds its wrapper, and, this being the file's first test, the code Vitest compiles
      // on its first test (32 to 66 kB measured).
      const array = record(run, 'keeps a 20 MB typed array (times FIXTURE_SCALE)')
      // Within 1 kB either side: a small ArrayBuffer of the page's freed during the test read it
      // 19,999,953 B in two runs of five.
      expect(Math.abs(array.external - 20_000_000)).toBeLessThan(1_000)
      expect(array.heap).toBeLessThan(128_000)
      expect(array.retainedGc).toBe('full')
      expect(array.retained).toBeGreaterThanOrEqual(20_000_000)
      expect(array.retained).toBeLessThan(20_200_000)
      // Through Vitest's RPC, the page's NaN arrives as null.
      expect(array.rss ?? Number.NaN).toBeNaN()

      // 2.4 MB of objects and array (see the matcher's test above), with no GC in the test: the peak is the end.
      const objects = record(run, 'builds and drops 100,000 small objects')
      expect(objects.heap).toBeGreaterThanOrEqual(2_400_000)
      expect(objects.heap).toBeLessThan(4_800_000)
      expect(objects.gcCount).toBe(0)

      // 70 MB allocated in 3.5 MB batches: V8 collected during the test, so its GCs were read from
      // the trace: the peak is one young generation's worth, not the 70 MB allocated.
      const batches = record(run, 'builds and drops 20 batches of 100,000 objects')
      expect(batches.gcCount).toBeGreaterThan(0)
      expect(batches.allocated).toBeGreaterThanOrEqual(20 * 3_400_000)
      expect(batches.allocated).toBeLessThan(20 * 4_000_000)
      expect(batches.heap).toBeLessThan(40_000_000)
      // Its timeline, as in Node: the start, before and after each GC, the end; the peak on it.
      expect(batches.timeline.length).toBeGreaterThanOrEqual(4)
      expect(Math.max(...batches.timeline.map(([, heap, external]) => heap + external))).toBe(batches.total)
      expect(objects.timeline.map(([gc]) => gc)).toEqual([0, 1])

      // The test's own DOM, end minus start, each count on its own: 1,000 nodes, no document, and the
      // 100 listeners it added, plus the few the runner adds in the test's window (1 measured with
      // Vitest 4, 2 with Vitest 5).
      const keptDom = record(run, 'keeps 1,000 detached DOM nodes').dom!
      expect(keptDom).toMatchObject({ nodes: 1000, documents: 0 })
      expect(keptDom.listeners).toBeGreaterThanOrEqual(100)
      expect(keptDom.listeners).toBeLessThanOrEqual(110)
      // Vitest's runner and the two round trips of the recording: 14 to 36 kB measured.
      expect(record(run, 'a no-op').total).toBeLessThan(64_000)
      // Only a test held to a DOM budget pays the page's full GCs for its counts (issue 22): the runner
      // moves the listener count in every test, and reading every test after full GCs cost each one
      // a full GC (a no-op read retainedGc 'full'). The others' counts are as counted, marked so.
      expect(record(run, 'a no-op').domGc).toBe('none')
      expect(record(run, 'a no-op').retainedGc).not.toBe('full')
      expect(record(run, 'keeps 1,000 detached DOM nodes').domGc).toBe('none')
      expect(record(run, 'a no-op after DOM work').domGc).toBe('full')

      const over = run.tests.find(t => t.fullName === 'over the budget')!
      expect(over.state).toBe('failed')
      expect(over.errors[0]).toMatch(/^Memory budget exceeded: peak memory \(heap \+ external\) 12\.0\d MB is over the 8 MB budget of "budgets\.test\.ts"\./)
      expect(run.tests.find(t => t.fullName === 'under the budget')!.state).toBe('passed')
      expect(run.exitCode).toBe(1)

      // A DOM budget: 1,000 nodes kept against 500 allowed.
      const dom = run.tests.find(t => t.fullName === 'adds 1,000 DOM nodes')!
      expect(dom.state).toBe('failed')
      expect(dom.errors[0]).toContain('Memory budget exceeded: DOM nodes kept 1000 is over the 500 budget of "dom.test.ts".')
      expect(dom.errors[0]).toMatch(/> dom +\+1000 nodes +\+?\d listeners, 0 documents kept at the end, after a full GC/)
      expect(run.tests.find(t => t.fullName === 'adds 100 DOM nodes')!.state).toBe('passed')

      // DOM counts are what a test kept, read after a full GC: Chromium counts a node or listener
      // until one frees it, so a list built and removed read 2,001 nodes and 2,001 listeners added
      // before, and a later test minus as many. Vitest 4's runner keeps one listener per test (on the
      // test's abort signal); Vitest 5's removes its own.
      const runner = record(run, 'a no-op after DOM work').dom!.listeners
      expect([0, 1]).toContain(runner)
      const kept = (name: string) => record(run, name).dom
      expect(kept('builds a 1,000-row list and destroys it')).toEqual({ nodes: 0, documents: 0, listeners: runner })
      expect(kept('leaves a 1,000-row list in the document')).toEqual({ nodes: 2001, documents: 0, listeners: 1000 + runner })
      expect(kept('adds and removes 100 window listeners')).toEqual({ nodes: 0, documents: 0, listeners: runner })
      expect(kept('keeps 100 window listeners')).toEqual({ nodes: 0, documents: 0, listeners: 100 + runner })
      expect(kept('a no-op after DOM work')).toEqual({ nodes: 0, documents: 0, listeners: runner })
      expect(kept('keeps a new document')).toMatchObject({ documents: 1, listeners: runner })
      expect(kept('adds 1,000 DOM nodes')).toEqual({ nodes: 1000, documents: 0, listeners: runner })
      for (const t of run.tests) {
        for (const [count, value] of Object.entries(record(run, t.fullName).dom!))
          expect(value, `${t.fullName}: ${count}`).toBeGreaterThanOrEqual(0)
      }
      const state = (name: string) => run.tests.find(t => t.fullName === name)!.state
      expect(state('builds a 1,000-row list and destroys it')).toBe('passed')
      expect(state('adds and removes 100 window listeners')).toBe('passed')
      expect(state('leaves a 1,000-row list in the document')).toBe('failed')
      expect(run.tests.find(t => t.fullName === 'keeps 100 window listeners')!.errors[0]).toMatch(/^Memory budget exceeded: event listeners kept 10[01] is over the 50 budget of "dom.test.ts"\./)

      // The page's afterEach catches a matcher call without await, as a Node worker's does.
      const unawaited = run.tests.find(t => t.fullName === 'calls toStayUnder without await')!
      expect(unawaited.state).toBe('failed')
      expect(unawaited.errors[0]).toContain('A memory assertion was not awaited.')
      expect(unawaited.errors[0]).toContain('await expect(fn).toStayUnder("1MB")   (it passed)')

      // The JSON report passes the schema's validator; the project is measured, not listed as unmeasured.
      const report = readReport(join(root, 'reports/memory.json'))
      expect(report.summary).toMatchObject({ tests: 17, measured: 17, overBudget: 4, unmeasuredProjects: [] })
      const reported = report.tests.find(t => t.name === 'keeps 1,000 detached DOM nodes')!
      expect(reported).toMatchObject({ project: 'chromium', rssMethod: 'none', metrics: { rss: null }, dom: { nodes: 1000, documents: 0, listeners: keptDom.listeners } })
    })

    test('a baseline of a browser project: written with -u, compared on the next run, a regression named', async () => {
      rmSync(join(root, 'reports'), { recursive: true, force: true })
      await runFixture('browser-chromium-pertest', { exclude: ['cost.test.ts', '**/node_modules/**'], update: true })
      const same = await recorded()
      expect(same.exitCode).toBe(1) // the over-budget test, as before
      const unchanged = readReport(join(root, 'reports/memory.json'))
      const moved = JSON.stringify(unchanged.tests.filter(t => t.changes.length > 0).map(t => [t.name, t.changes]))
      expect(unchanged.summary, moved).toMatchObject({ compared: true, regressed: 0 })
      expect(unchanged.tests.find(t => t.name === 'a no-op')!.base).toMatchObject({ rss: null })

      process.env.FIXTURE_SCALE = '2'
      try {
        await recorded()
      }
      finally {
        delete process.env.FIXTURE_SCALE
      }
      const grown = readReport(join(root, 'reports/memory.json'))
      expect(grown.summary.regressed).toBe(1)
      const changes = grown.tests.find(t => t.name === 'keeps a 20 MB typed array (times FIXTURE_SCALE)')!.changes
      expect(changes.map(c => c.metric)).toEqual(expect.arrayContaining(['total', 'external', 'retained', 'allocated']))
      expect(changes.find(c => c.metric === 'external')).toMatchObject({ direction: 'regressed', base: expect.closeTo(20e6, -4), head: expect.closeTo(40e6, -4) })
    })

    test('the same tests in two fresh Chromium runs record the same figures', async () => {
      const heaps = []
      for (let run = 0; run < 2; run++)
        heaps.push(record(await recorded(), 'builds and drops 100,000 small objects').heap)
      expect(Math.max(...heaps) / Math.min(...heaps) - 1, `heaps: ${heaps.join(', ')}`).toBeLessThan(0.01)
    })
  })
})
