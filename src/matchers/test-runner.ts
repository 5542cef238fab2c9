// The test runner the plugin gives a Node project that has none of its own: it measures each test
// from the runner's own steps, where a setup file would register `beforeEach` and `afterEach` hooks.
// Vitest imports a setup file again for every test file and reports four hook events per test to
// the main process; in a suite of 2,002 tests in 154 files sharing one worker (`isolate: false`)
// those cost 0.07x of the run's wall time, a runner nothing.
import { type RunnerTask, type RunnerTestFile, type RunnerTestSuite, type TestContext, TestRunner } from 'vitest'
import { createTestLifecycle, failBudgetPassedOver } from './recording-hooks.js'
import { fileCollecting, nodeTestRecording } from './test-hooks.js'

type Test = TestContext['task']
type AfterRetry = (this: TestRunner, test: Test, options: unknown) => unknown

/**
 * Vitest 5's runner declares this step and Vitest 4's does not, so no one declaration of it type-checks
 * against both (an `override` modifier is required by one and refused by the other): the method's
 * name is computed.
 */
const AFTER_RETRY: string = 'onAfterRetryTask'

export default class MemoryBudgetRunner extends TestRunner {
  // Made when Vitest makes the runner, before any test file is imported: the matchers are on
  // `expect` before a setup file or a test file can use them.
  readonly #recording = nodeTestRecording()
  readonly #lifecycle = createTestLifecycle(this.#recording)

  /** Before the file's setup files and imports run: the trail names it if they kill the worker. */
  override onCollectStart(file: RunnerTestFile): void {
    super.onCollectStart?.(file)
    fileCollecting(file.filepath)
  }

  /** After a file's `afterAll` hooks, before Vitest sends its result: the file's whole-life figures. */
  override async onAfterRunSuite(suite: RunnerTestSuite): Promise<void> {
    await super.onAfterRunSuite(suite)
    if (suite.file === suite)
      this.#recording?.fileEnded?.(suite as RunnerTestFile)
  }

  /** After Vitest's own preparation of the attempt (mocks cleared, `expect` state reset), before `beforeEach`. */
  override onBeforeTryTask(test: RunnerTask, ...rest: unknown[]): unknown {
    ;(super.onBeforeTryTask as (test: RunnerTask, ...rest: unknown[]) => void)(test, ...rest)
    return this.#lifecycle.beforeTest(test as Test)
  }

  /**
   * After Vitest settled the result of every attempt, `test.fails` applied: a budget broken on any
   * attempt fails the test, and the final result goes to the worker's trail, for a worker that dies
   * before Vitest's next batch of results.
   */
  override onAfterRunTask(test: RunnerTask): void {
    super.onAfterRunTask(test as Test)
    failBudgetPassedOver(test as Test)
    this.#recording?.settle?.(test as Test)
  }

  /**
   * After the attempt's `afterEach` hooks, cleanups and `onTestFinished` callbacks, which count as
   * the test's memory. Throwing here fails the attempt, and a test with `retry` runs again.
   */
  async [AFTER_RETRY](test: Test, options: unknown): Promise<void> {
    try {
      // Awaited only when something follows the record: the end is read before this method yields.
      await this.#lifecycle.afterTest(test)
    }
    finally {
      // Vitest 5 finishes its trace of the attempt here; Vitest 4's runner has no such step.
      await (TestRunner.prototype as { onAfterRetryTask?: AfterRetry }).onAfterRetryTask?.call(this, test, options)
    }
  }
}
