import { describe, expect, test } from 'vitest'
import { resolveOptions, workerExecArgv } from '../../src/plugin/options.js'

describe('memoryBudget() options', () => {
  test('default to deterministic workers', () => {
    expect(resolveOptions(undefined)).toMatchObject({ deterministic: true, budgets: [], top: 10, silent: false, outputFile: undefined, gcBeforeEachTest: 'auto', baseline: 'memory-baseline.json', markdown: undefined, html: undefined })
    expect(resolveOptions({ baseline: false }).baseline).toBeUndefined()
    expect(workerExecArgv(resolveOptions({}))).toEqual(['--expose-gc', '--single-threaded', '--min-semi-space-size=16', '--max-semi-space-size=16'])
    expect(workerExecArgv(resolveOptions({ deterministic: false }))).toEqual(['--expose-gc'])
  })

  test('heapLimit caps the old generation of each worker, in MiB', () => {
    expect(workerExecArgv(resolveOptions({ heapLimit: '1GiB' }))).toContain('--max-old-space-size=1024')
    expect(workerExecArgv(resolveOptions({ heapLimit: '512MB', deterministic: false }))).toEqual(['--expose-gc', '--max-old-space-size=488'])
    expect(() => resolveOptions({ heapLimit: '10MB' })).toThrowError('memoryBudget() option "heapLimit" must be a size of 32 MiB or more (a worker needs that much to load Vitest), got "10MB".')
    expect(() => resolveOptions({ heapLimit: 'lots' })).toThrowError(/heapLimit.*"lots"/)
  })

  test('fileBudgets and runner: globs compiled, later keys win metric by metric, shares as fractions', () => {
    const resolved = resolveOptions({ fileBudgets: { '**': '300MB', 'test/heavy/**': { rss: '1GB', grew: '20MB' } }, runner: { memory: '7GB', failAbove: '75%' } })
    expect(resolved.runner).toEqual({ memory: 7e9, failAbove: 0.75 })
    expect(resolved.fileBudgets.map(rule => [rule.pattern, rule.limits])).toEqual([['**', { total: 300e6 }], ['test/heavy/**', { rss: 1e9, grew: 20e6 }]])
    expect(resolveOptions({ runner: { failAbove: 0.5 } }).runner).toEqual({ memory: undefined, failAbove: 0.5 })
    expect(resolveOptions({}).fileBudgets).toEqual([])
  })

  test.each([
    [null, 'memoryBudget() options must be an object, got null.'],
    ['fast', 'memoryBudget() options must be an object, got "fast".'],
    [{ deterministc: true }, 'Unknown memoryBudget() option "deterministc". Accepted: deterministic, budgets, top, silent, outputFile, gcBeforeEachTest, baseline, regression, markdown, html, heapLimit, profiles, annotations, native, fileBudgets, runner.'],
    [{ deterministic: 'yes' }, 'memoryBudget() option "deterministic" must be true or false, got "yes".'],
    [{ top: -1 }, 'memoryBudget() option "top" must be a whole number, 0 or more, got -1.'],
    [{ top: 2.5 }, 'memoryBudget() option "top" must be a whole number, 0 or more, got 2.5.'],
    [{ silent: 1 }, 'memoryBudget() option "silent" must be true or false, got 1.'],
    [{ native: 'on' }, 'memoryBudget() option "native" must be true or false, got "on".'],
    [{ outputFile: '' }, 'memoryBudget() option "outputFile" must be a file path, got "".'],
    [{ gcBeforeEachTest: 'never' }, `memoryBudget() option "gcBeforeEachTest" must be 'auto' or 'always', got "never".`],
    [{ budgets: ['200MB'] }, `memoryBudget() option "budgets" must be an object like { '**': '200MB' }, got an array.`],
    [{ budgets: { '**': '200 megs' } }, `Invalid budget "total" for "**": "200 megs". Expected a number of bytes`],
    [{ budgets: { 'src/**': { totl: '1MB' } } }, `Unknown metric "totl" in the budget for "src/**". Accepted: total, heap, external, rss, native, retained, domNodes, domListeners, domDocuments.`],
    [{ budgets: { 'src/**': { heap: -5 } } }, `Invalid budget "heap" for "src/**": -5.`],
    [{ budgets: { 'src/**': {} } }, `The budget for "src/**" sets no metric.`],
    [{ budgets: { 'src/**': null } }, `Invalid budget for "src/**": expected a size like '200MB' or an object with any of total, heap, external, rss, native, retained, domNodes, domListeners, domDocuments, got null.`],
    [{ budgets: { ' > parses *': '1MB' } }, `Invalid budget pattern " > parses *": expected a file glob`],
    [{ baseline: '' }, 'memoryBudget() option "baseline" must be a file path or false, got "".'],
    [{ markdown: 3 }, 'memoryBudget() option "markdown" must be a file path, got 3.'],
    [{ html: '' }, 'memoryBudget() option "html" must be a file path, got "".'],
    [{ annotations: 'always' }, `memoryBudget() option "annotations" must be true, false or 'auto', got "always".`],
    [{ profiles: '' }, 'memoryBudget() option "profiles" must be a directory path, got "".'],
    [{ regression: { threshold: '10 percent' } }, `Invalid regression threshold: "10 percent". Expected a fraction like 0.1 or a percentage like '10%'.`],
    [{ regression: { minDelta: '1 megs' } }, 'Invalid regression minDelta: "1 megs".'],
    [{ regression: { metrics: { totl: false } } }, 'Unknown metric "totl" in regression.metrics. Accepted: total, heap, external, rss, native, retained, allocated.'],
    [{ regression: { metrics: { rss: 'yes' } } }, 'regression.metrics.rss must be true, false or an object'],
    [{ regression: { failOnRegression: 'yes' } }, 'regression.failOnRegression must be true or false, got "yes".'],
    [{ regression: { acrossEnvironments: 1 } }, 'regression.acrossEnvironments must be true or false, got 1.'],
    [{ regression: { treshold: 0.1 } }, 'Unknown regression option "treshold". Accepted: threshold, minDelta, metrics, failOnRegression, acrossEnvironments.'],
    [{ fileBudgets: ['src/**'] }, `memoryBudget() option "fileBudgets" must be an object like { 'src/**': '300MB' }, got an array.`],
    [{ fileBudgets: { 'a.test.ts > heavy': '1MB' } }, 'Invalid fileBudgets key "a.test.ts > heavy": expected a file glob (e.g. \'src/**/*.test.ts\'), without a test name'],
    [{ fileBudgets: { '**': { allocated: '1MB' } } }, 'Unknown metric "allocated" in fileBudgets for "**". Accepted: total, heap, external, rss, retained, grew.'],
    [{ fileBudgets: { '**': {} } }, 'fileBudgets for "**" sets no metric. Accepted: total, heap, external, rss, retained, grew.'],
    [{ fileBudgets: { '**': true } }, `Invalid fileBudgets value for "**": expected a size like '300MB' or an object with any of total, heap, external, rss, retained, grew, got true.`],
    [{ fileBudgets: { '**': { rss: 'big' } } }, 'fileBudgets "rss" for "**"'],
    [{ runner: '7GB' }, `memoryBudget() option "runner" must be an object like { memory: '7GB', failAbove: '80%' }, got "7GB".`],
    [{ runner: { memroy: '7GB' } }, 'Unknown memoryBudget({ runner }) option "memroy". Accepted: memory, failAbove.'],
    [{ runner: { memory: 'seven' } }, 'runner.memory'],
    [{ runner: { failAbove: '120%' } }, `memoryBudget() option "runner.failAbove" must be a share of the runner's memory above 0 and at most 1, or a percentage up to 100% (e.g. 0.8 or '80%'), got "120%".`],
    [{ runner: { failAbove: 0 } }, 'option "runner.failAbove" must be a share'],
    [{ runner: { failAbove: '80' } }, 'option "runner.failAbove" must be a share'],
  ])('reject %j with a message naming it', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrowError(TypeError)
    expect(() => resolveOptions(options as never)).toThrowError(message)
  })
})
