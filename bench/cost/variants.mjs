// The ways a suite is run for the cost tables: each of the first five adds one part of what the
// plugin does; the last is V8 coverage without the plugin, the cost users already accept in CI.
import { pathToFileURL } from 'node:url'

/**
 * The worker options the plugin sets, read from the built package's own config() result so the bench
 * measures the flags the package ships (deterministic flags plus the flag-restoring preload).
 */
export async function pluginWorkerOptions(root) {
  const { memoryBudget } = await import(pathToFileURL(`${root}/dist/index.js`).href)
  const { test } = memoryBudget().config({})
  return { execArgv: test.execArgv }
}

/**
 * Each variant: the plugin call (or none), the test options added to the suite's own and (`root`)
 * those that only a root config takes.
 */
export function costVariants({ execArgv }) {
  return [
    { name: 'plain forks', plugin: undefined, test: {} },
    { name: 'worker flags + preload', plugin: undefined, test: { execArgv } },
    { name: 'setup file (matchers) + flags', plugin: undefined, test: { execArgv, setupFiles: ['vitest-memory-budget/setup'] } },
    { name: 'memoryBudget({ deterministic: false })', plugin: '{ deterministic: false }', test: {} },
    { name: 'memoryBudget()', plugin: '', test: {} },
    { name: 'coverage (v8), no plugin: for scale', plugin: undefined, test: {}, root: { coverage: { enabled: true, provider: 'v8' } } },
  ]
}

/**
 * A vitest.config.mjs for `variant`. `project` (optional) is an inline project the suite's tests run in:
 * then the variant's test options go into it, since a project without `extends: true` takes none of
 * the root's, while the plugin stays in the root's `plugins`, where users put it.
 */
export function renderConfig(variant, project) {
  const test = { pool: 'forks', ...variant.test }
  const testOptions = { ...(project ? { projects: [{ ...project, test: { ...project.test, ...test } }] } : test), ...variant.root }
  const usesPlugin = variant.plugin !== undefined
  return [
    usesPlugin ? `import { memoryBudget } from 'vitest-memory-budget'\n` : '',
    `export default {\n`,
    usesPlugin ? `  plugins: [memoryBudget(${variant.plugin})],\n` : '',
    `  test: ${JSON.stringify(testOptions)},\n}\n`,
  ].join('')
}
