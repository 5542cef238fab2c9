import { relative, resolve, sep } from 'node:path'
import c from 'tinyrainbow'
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node'
import { readTestMemory } from '../worker/types.js'
import { buildReport, type CollectedTest, type ReportEnvironment } from '../report/model.js'
import { writeFileAtomic } from '../report/write-atomic.js'
import { renderJsonReport } from '../render/json.js'
import { renderTerminalSummary } from '../render/terminal.js'

export interface MemoryReporterOptions {
  top: number
  silent: boolean
  outputFile: string | undefined
  budgetPatterns: readonly string[]
  deterministic: boolean
  workerFlags: readonly string[]
}

function collect(testCase: TestCase, root: string): CollectedTest {
  const result = testCase.result()
  return {
    id: testCase.id,
    project: testCase.project.name,
    file: relative(root, testCase.module.moduleId).split(sep).join('/'),
    name: testCase.fullName,
    line: testCase.location?.line,
    state: result.state,
    memory: readTestMemory(testCase),
  }
}

/** Collects every test's memory from `task.meta` and, at the end of each run, prints and writes the report. */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined

  constructor(private readonly options: MemoryReporterOptions) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const vitest = this.vitest
    if (!vitest)
      return
    const root = vitest.config.root
    const tests = testModules.flatMap(module => [...module.children.allTests()])
      // Skipped and todo tests never ran; type tests (`*.test-d.ts`) run in the compiler, not a worker.
      .filter(test => test.result().state !== 'skipped' && !(test.meta() as { typecheck?: boolean }).typecheck)
      .map(test => collect(test, root))
    const environment: ReportEnvironment = {
      node: process.version,
      vitest: vitest.version,
      platform: process.platform,
      arch: process.arch,
      workerFlags: [...this.options.workerFlags],
      deterministic: this.options.deterministic,
    }
    const report = buildReport(tests, environment, this.options.budgetPatterns, new Date())

    if (!this.options.silent && report.tests.length > 0)
      vitest.logger.log(`\n${renderTerminalSummary(report, { top: this.options.top, colors: c })}\n`)
    if (this.options.outputFile) {
      const path = resolve(root, this.options.outputFile)
      writeFileAtomic(path, renderJsonReport(report))
      if (!this.options.silent)
        vitest.logger.log(c.dim(` Memory report written to ${relative(process.cwd(), path) || path}\n`))
    }
  }
}
