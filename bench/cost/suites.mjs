// The three suites whose cost under each variant is measured, and how each is laid out on disk.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installPackage, writeSuite } from '../overhead.mjs'
import { generateManyFiles } from '../suites/many-files/generate.mjs'
import { renderConfig } from './variants.mjs'
import { median, printTable } from './table.mjs'
import { timeProcess } from './time-process.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs')

/** A project of its own (so a bare 'vitest-memory-budget' is the installed copy, not this repository). */
function prepareProject(dir, writeTests) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "name": "cost-suite", "private": true, "type": "module" }\n')
  installPackage(dir)
  writeTests(dir)
}

export const COST_SUITES = [
  {
    name: 'A: 485 small tests in 13 files, default isolation',
    write: dir => prepareProject(dir, to => cpSync(fileURLToPath(new URL('../suites/small-tests', import.meta.url)), to, { recursive: true })),
  },
  {
    name: `B: 2,002 tests in 154 files, an inline project (no extends) with isolate: false`,
    write: dir => prepareProject(dir, generateManyFiles),
    project: { test: { name: 'runtime', include: ['tests/**/*.test.mjs'], isolate: false } },
  },
  {
    name: 'C: 500 tiny tests in 10 files (bench/overhead.mjs)',
    write: dir => writeSuite(dir, false),
  },
]

function runVariant(dir, suite, variant) {
  writeFileSync(join(dir, 'vitest.config.mjs'), renderConfig(variant, suite.project))
  const run = timeProcess(process.execPath, [vitestBin, 'run', '--reporter=dot'], { cwd: dir })
  return {
    ...run,
    tests: Number(run.stdout.match(/Tests\s+(\d+) passed/)?.[1] ?? 0),
    // The plugin's end-of-run summary; a plugin variant without it measured nothing.
    measured: Number(run.stdout.match(/(\d+) tests? measured/)?.[1] ?? 0),
  }
}

/**
 * Runs every variant `rounds` times, alternating (one variant after another, then again), after one
 * warm-up round that fills the file cache and Vitest's own caches and is not counted: alternating
 * spreads a noisy neighbour's load over every variant instead of one.
 */
export function measureSuite(suite, variants, rounds, dir) {
  suite.write(dir)
  const samples = variants.map(() => ({ wall: [], cpu: [], tests: 0, measured: 0 }))
  for (let round = 0; round <= rounds; round++) {
    variants.forEach((variant, i) => {
      const run = runVariant(dir, suite, variant)
      Object.assign(samples[i], { tests: run.tests, measured: run.measured })
      if (round > 0) {
        samples[i].wall.push(run.wall)
        samples[i].cpu.push(run.cpu)
      }
    })
  }
  return variants.map((variant, i) => ({ name: variant.name, tests: samples[i].tests, measured: samples[i].measured, wall: median(samples[i].wall), cpu: median(samples[i].cpu) }))
}

/** A plugin variant that measured fewer tests than ran: its ratio is not the cost of measuring them. */
function unmeasured(variants, results) {
  return results.filter((r, i) => variants[i].plugin !== undefined && r.measured < r.tests)
}

/** Prints the suite's table; throws after it if a plugin variant left tests unmeasured. */
export function printSuiteTable(suite, variants, results, rounds) {
  const [plain] = results
  printTable(`${suite.name}: median of ${rounds} alternating rounds (CPU: the whole process tree)`, ['variant', 'tests', 'measured', 'wall', 'x plain', 'CPU', 'x plain'], results.map((r, i) => [
    r.name,
    r.tests,
    variants[i].plugin === undefined ? '-' : r.measured,
    `${r.wall.toFixed(2)} s`,
    `${(r.wall / plain.wall).toFixed(2)}x`,
    `${r.cpu.toFixed(2)} s`,
    `${(r.cpu / plain.cpu).toFixed(2)}x`,
  ]))
  const missed = unmeasured(variants, results)
  if (missed.length > 0)
    throw new Error(missed.map(r => `${r.name} measured ${r.measured} of ${r.tests} tests in suite ${suite.name.split(':')[0]}: its ratio is not the cost of measuring them`).join('; '))
}
