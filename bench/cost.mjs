// Issue 10's cost figures: what measuring every test costs, as ratios to plain forks measured in one
// run, for three suites shaped like real ones; what a worker spends importing the package; and the
// end-of-run work for 10,000 tests. `npm run bench` calls printCostTables(); `node bench/cost.mjs
// [rounds]` runs it alone (it builds dist first). A section that fails says so and the others still
// print; the exit code is then 1.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUILD } from '../scripts/counted-runs.mjs'
import { measureEndOfRun, printEndOfRun } from './cost/end-of-run.mjs'
import { measureImportCost, printImportCost } from './cost/import-cost.mjs'
import { COST_SUITES, measureSuite, printSuiteTable } from './cost/suites.mjs'
import { costVariants, pluginWorkerOptions } from './cost/variants.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
export const DEFAULT_ROUNDS = 3

/** Runs `fn`; on failure prints what failed and returns false, so the next section still runs. */
async function section(name, fn) {
  try {
    await fn()
    return true
  }
  catch (error) {
    console.error(`\n✗ ${name} failed: ${error instanceof Error ? error.message : String(error)}`)
    return false
  }
}

/** A directory of its own under bench/.work (inside the repo, so vitest and the package's dependencies resolve). */
function workDir(name) {
  return join(root, 'bench/.work', `cost-${process.pid}`, name)
}

/** One table per suite: each variant's median wall and CPU time, and their ratio to plain forks. */
export async function printSuiteCosts(rounds = DEFAULT_ROUNDS) {
  const variants = costVariants(await pluginWorkerOptions(root))
  let ok = true
  for (const suite of COST_SUITES) {
    ok = await section(`Suite ${suite.name}`, () => printSuiteTable(suite, variants, measureSuite(suite, variants, rounds, workDir('suite')), rounds)) && ok
  }
  return ok
}

export async function printWorkerImportCost(rounds = 2) {
  const { execArgv } = await pluginWorkerOptions(root)
  return section('Worker import cost', () => printImportCost(measureImportCost(workDir('import'), execArgv, rounds)))
}

export async function printEndOfRunCost() {
  return section('End-of-run cost', async () => printEndOfRun(await measureEndOfRun(root, workDir('end-of-run'))))
}

/** Every section; sets a failing exit code if any failed. Expects dist/ to be built. */
export async function printCostTables(rounds = DEFAULT_ROUNDS) {
  try {
    const results = [await printSuiteCosts(rounds), await printWorkerImportCost(), await printEndOfRunCost()]
    if (results.includes(false)) {
      console.error('\n✗ Some cost figures could not be measured (see above).')
      process.exitCode = 1
    }
    return !results.includes(false)
  }
  finally {
    rmSync(join(root, 'bench/.work', `cost-${process.pid}`), { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const build = spawnSync(process.execPath, [BUILD], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0)
    process.exit(1)
  await printCostTables(Number(process.argv[2] ?? DEFAULT_ROUNDS))
}
