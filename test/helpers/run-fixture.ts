import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { TestCase, TestModule, Vitest } from 'vitest/node'
import { startVitest } from 'vitest/node'

export interface FixtureTest {
  project: string
  file: string
  fullName: string
  state: string
  errors: string[]
  meta: Record<string, unknown>
  /** Vitest's test annotations, as `vitest --ui` and the html reporter show them. */
  annotations: Array<{ type: string, message: string, location?: unknown, attachment?: { path?: string, contentType?: string } }>
}

export interface FixtureRun {
  tests: FixtureTest[]
  /** Each test file's `meta()` (the plugin's whole-life figures are its `memoryFile`), by its path relative to the root. */
  modules: Record<string, Record<string, unknown>>
  unhandledErrors: unknown[]
  /** The exit code Vitest would have ended the process with. */
  exitCode: number
  /** What Vitest and its reporters printed; only with `captureOutput`, else empty. */
  output: string
}

export interface RunFixtureOptions {
  /** Keep what the run prints (terminal summary, warnings) for the test to read, instead of printing it. */
  captureOutput?: boolean
  /** File filters, as `vitest run <filter>` takes them. */
  filters?: string[]
  /** What to do in the session after its first run, before it closes (with `watch: true`, what a key does). */
  then?: (vitest: Vitest) => Promise<unknown>
}

function outputCollector(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
}

function toFixtureTest(testCase: TestCase): FixtureTest {
  const result = testCase.result()
  return {
    project: testCase.project.name,
    file: testCase.module.relativeModuleId,
    fullName: testCase.fullName,
    state: result.state,
    errors: (result.errors ?? []).map(error => error.message),
    meta: testCase.meta() as Record<string, unknown>,
    annotations: [...testCase.annotations()],
  }
}

/** Runs a fixture project with real Vitest, as `vitest run` would, and returns what a reporter sees. */
export async function runFixture(name: string, cliOptions: Record<string, unknown> = {}, { captureOutput = false, filters = [], then }: RunFixtureOptions = {}): Promise<FixtureRun> {
  const tests: FixtureTest[] = []
  const modules: FixtureRun['modules'] = {}
  const unhandledErrors: unknown[] = []
  const collector = {
    onTestRunEnd(testModules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>) {
      for (const module of testModules) {
        modules[module.relativeModuleId] = module.meta() as Record<string, unknown>
        for (const testCase of module.children.allTests()) tests.push(toFixtureTest(testCase))
      }
      unhandledErrors.push(...errors)
    },
  }
  const output: string[] = []
  const streams = captureOutput ? { stdout: outputCollector(output), stderr: outputCollector(output) } : {}
  const savedExitCode = process.exitCode
  process.exitCode = 0
  try {
    const vitest = await startVitest('test', filters, {
      root: fixturePath(name),
      watch: false,
      reporters: [collector],
      ...cliOptions,
    }, {}, streams)
    try {
      await then?.(vitest)
    }
    finally {
      await vitest.close()
    }
    return { modules, tests: tests.sort((a, b) => `${a.project}${a.file}${a.fullName}`.localeCompare(`${b.project}${b.file}${b.fullName}`)), unhandledErrors, exitCode: Number(process.exitCode ?? 0), output: output.join('') }
  }
  finally {
    process.exitCode = savedExitCode
  }
}
