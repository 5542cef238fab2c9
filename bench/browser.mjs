// Browser mode's cost figures (`npm run bench`, section 7): a passing `toStayUnder` timed in the
// Chromium page, and per-test recording on 100 tiny tests, with and without the plugin in alternating
// fresh runs. Chromium is @sparticuz/chromium's (bench/browser/vitest.config.mjs). Needs dist/ built.
// BENCH_BASE_ROOT=<another checkout, built, with node_modules> adds its plugin to the alternation, for
// a before-and-after ratio from one run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, percentile, printTable } from './cost/table.mjs'
import { timeProcess } from './cost/time-process.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/** One `vitest run` of a bench/browser file in `checkout`; its wall time, and each test's `task.meta` by name. */
function runBrowserFile(file, { plugin = true, checkout = root } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-bench-browser-'))
  try {
    const output = join(dir, 'results.json')
    const env = { ...process.env, BENCH_PLUGIN_OFF: plugin ? '' : '1' }
    const { wall } = timeProcess(process.execPath, [join(checkout, 'node_modules/vitest/vitest.mjs'), 'run', file, '--root', join(checkout, 'bench/browser'), '--reporter=json', `--outputFile=${output}`], { cwd: checkout, env })
    const results = JSON.parse(readFileSync(output, 'utf8'))
    const meta = Object.fromEntries(results.testResults.flatMap(file => file.assertionResults.map(test => [test.title, test.meta ?? {}])))
    return { wall, meta }
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function printMatcherCost() {
  const { times } = runBrowserFile('matcher-cost.test.mjs').meta['cost of one call in the page']
  printTable('7a. Cost of one call in a Chromium page under the plugin (30 calls, timed in the page)', ['call', 'median', 'p90'],
    Object.entries(times).map(([name, values]) => [name, `${median(values).toFixed(1)} ms`, `${percentile(values, 0.9).toFixed(1)} ms`]))
}

function printRecordingCost(rounds) {
  const base = process.env.BENCH_BASE_ROOT
  const variants = [{ name: 'without', options: { plugin: false } }, { name: 'with', options: {} }, ...(base ? [{ name: 'base', options: { checkout: base } }] : [])]
  const runs = Object.fromEntries(variants.map(({ name }) => [name, []]))
  // Alternating, so that the machine's load moves all alike.
  for (let round = 0; round < rounds; round++) {
    for (const { name, options } of variants) {
      const { wall, meta } = runBrowserFile('suite.test.mjs', options)
      runs[name].push({ wall, msPerTest: meta['stops the clock'].msPerTest })
    }
  }
  const wall = variant => median(runs[variant].map(r => r.wall))
  const perTest = variant => median(runs[variant].map(r => r.msPerTest))
  printTable(`7b. 100 tiny tests in Chromium, ${rounds} fresh runs each, alternating, medians`, ['run', 'wall time (vitest run)', 'per test, in the page'], [
    ['without the plugin', `${wall('without').toFixed(2)} s`, `${perTest('without').toFixed(2)} ms`],
    ['with the plugin', `${wall('with').toFixed(2)} s`, `${perTest('with').toFixed(2)} ms`],
    ['ratio', `${(wall('with') / wall('without')).toFixed(2)}x`, `+${(perTest('with') - perTest('without')).toFixed(2)} ms a test`],
    ...(base ? [[`with the plugin of ${base}`, `${wall('base').toFixed(2)} s`, `${perTest('base').toFixed(2)} ms`], ['this tree / that one', `${(wall('with') / wall('base')).toFixed(2)}x`, `${(perTest('with') / perTest('base')).toFixed(2)}x`]] : []),
  ])
}

export function printBrowserTables(rounds = 5) {
  printMatcherCost()
  printRecordingCost(rounds)
}
