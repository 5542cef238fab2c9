import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { workerExecArgv } from '../src/plugin/options.js'
import { serializeBaseline } from '../src/report/files.js'
import type { MemoryReport } from '../src/report/model.js'
import { runVitestCli } from './helpers/run-cli.js'
import { fixturePath } from './helpers/run-fixture.js'

const root = fixturePath('environment-drift')
const baselinePath = join(root, 'memory-baseline.json')
const run = (env: Record<string, string> = {}) => runVitestCli(root, [], { GITHUB_ACTIONS: 'false', ...env })
const v8Major = Number.parseInt(process.versions.v8, 10)

beforeAll(() => {
  // A baseline from the V8 major before this one, same worker flags: the test's 20 MB was 5 MB there,
  // a real regression by every rule.
  const figures = { total: 5e6, heap: 1e6, external: 4e6, rss: 5e6, retained: 0, allocated: 5e6 }
  writeFileSync(baselinePath, serializeBaseline(new Map([['grows.test.ts > allocates 20 MB', figures]]), {
    node: 'v0.0.0-older',
    v8: `${v8Major - 1}.0.0.0`,
    vitest: '4.1.0',
    platform: process.platform,
    arch: process.arch,
    workerFlags: workerExecArgv({ deterministic: true, heapLimit: undefined }),
    deterministic: true,
  }))
})

afterAll(() => {
  rmSync(baselinePath, { force: true })
  rmSync(join(root, 'reports'), { recursive: true, force: true })
})

test('a regression against a baseline from another V8 major is shown, and does not fail the run', () => {
  const result = run()
  expect(result.exitCode, result.stdout + result.stderr).toBe(0)
  expect(result.stdout).toContain(`⚠ Compared with figures from another V8 major or other worker flags (Node v0.0.0-older → ${process.version}, V8 ${v8Major - 1}.0.0.0 → ${process.versions.v8}, Vitest 4.1.0 → `)
  expect(result.stdout).toContain('1 regressed (not counted: another environment)')
  expect(result.stdout).toMatch(/↑ grows\.test\.ts > allocates 20 MB: total 5 MB → 20(\.\d+)? MB/)
  const report = JSON.parse(readFileSync(join(root, 'reports/memory.json'), 'utf8')) as MemoryReport
  expect(report.environment.v8).toBe(process.versions.v8)
  expect(report.summary).toMatchObject({ regressed: 1, environmentDrift: { incomparable: true, regressionsCount: false } })
})

test('with regression.acrossEnvironments, the same regression fails the run', () => {
  const result = run({ FIXTURE_ACROSS_ENVIRONMENTS: 'true' })
  expect(result.exitCode, result.stdout + result.stderr).toBe(1)
  expect(result.stdout).toContain('so regressions still count (acrossEnvironments is on)')
})
