import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

export interface CliRun {
  stdout: string
  stderr: string
  exitCode: number
}

/** The environment of a user's terminal: none of the variables Vitest sets in its own workers, no colours. */
function userEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { VITEST: _, VITEST_POOL_ID: __, VITEST_WORKER_ID: ___, TEST: ____, ...inherited } = process.env
  return { ...inherited, NO_COLOR: '1', ...env }
}

/** Runs `vitest run` in a fixture as a user would in a terminal, without colours; `node` is the Node binary that runs it. */
export function runVitestCli(root: string, args: string[] = [], env: Record<string, string> = {}, node = process.execPath): CliRun {
  const result = spawnSync(node, [vitestBin, 'run', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: userEnv({ CI: 'true', ...env }),
    timeout: 120_000,
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1 }
}

/** Starts `vitest watch` in a fixture; `waitFor` resolves once its output satisfies a condition. */
export function startVitestWatch(root: string, args: string[] = []) {
  const child = spawn(process.execPath, [vitestBin, 'watch', ...args], { cwd: root, env: userEnv({}), stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return {
    async waitFor(condition: (output: string) => boolean, timeout = 60_000): Promise<void> {
      const deadline = Date.now() + timeout
      while (!condition(output)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`vitest watch did not print what was expected; it printed:\n${output}`)
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    },
    stop: () => child.kill(),
  }
}
