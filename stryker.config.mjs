// @ts-check
// StrykerJS over src/, one area at a time (`npm run mutate` runs them in turn, scripts/mutate.mjs):
// each area has its own incremental file, so a run after a small change re-tests only the mutants
// that change touches, and its own floor, so a weaker area cannot hide behind a stronger one.

/**
 * `break` is the mutation score (killed and timed out, over all mutants with tests) below which the
 * run fails; null where the area's score is not measured yet, or is below its target (see
 * stryker/README.md for the targets, the scores and the mutants left as equivalent). `ci`: `.ci/run`
 * runs the area, from its committed incremental file.
 * @type {Record<string, { mutate: string[], break: number | null, ci?: boolean }>}
 */
export const AREAS = {
  budgets: { mutate: ['src/budgets/**/*.ts'], break: 90, ci: true },
  compare: { mutate: ['src/compare/**/*.ts'], break: 90, ci: true },
  measure: { mutate: ['src/measure/size.ts', 'src/measure/gc-trace.ts', 'src/measure/leak-trend.ts'], break: 90, ci: true },
  report: { mutate: ['src/report/**/*.ts'], break: null },
  render: { mutate: ['src/render/**/*.ts'], break: null },
  cli: { mutate: ['src/cli/**/*.ts'], break: 90, ci: true },
  matchers: { mutate: ['src/matchers/**/*.ts'], break: null },
  worker: { mutate: ['src/worker/**/*.ts'], break: null },
  reporter: { mutate: ['src/reporter/**/*.ts'], break: null },
}

const name = process.env.MUTATE_AREA ?? 'budgets'
const area = AREAS[name]
if (!area)
  throw new Error(`MUTATE_AREA=${name}: expected one of ${Object.keys(AREAS).join(', ')}.`)

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the test files that import the mutated code run; see stryker/vitest.config.ts for which.
  vitest: { configFile: 'stryker/vitest.config.ts', related: true },
  mutate: area.mutate,
  ignorePatterns: ['.stryker-tmp*', 'compat', 'bench', 'dist', 'coverage', 'docs', 'reports', '.vitest', 'examples/*/reports'],
  coverageAnalysis: 'perTest',
  // The suite reads and writes temp files and measures memory: one runner is the honest default on 2 cores.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  incrementalFile: `stryker/incremental/${name}.json`,
  thresholds: { high: 90, low: 80, break: area.break },
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
}
