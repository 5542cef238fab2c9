import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

export interface CliRun {
  stdout: string
  stderr: string
  exitCode: number
}

/** Runs `vitest run` in a fixture as a user would in a terminal, without colours. */
export function runVitestCli(root: string, args: string[] = [], env: Record<string, string> = {}): CliRun {
  const { VITEST: _, VITEST_POOL_ID: __, VITEST_WORKER_ID: ___, ...inherited } = process.env
  const result = spawnSync(process.execPath, [vitestBin, 'run', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...inherited, NO_COLOR: '1', CI: 'true', ...env },
    timeout: 120_000,
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1 }
}
