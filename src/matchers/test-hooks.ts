// What a test file's setup does: installs the memory matchers, catches un-awaited calls, and, under
// the plugin, measures every test and holds it to its configured budget.
//
// The matchers are imported here, not on their first call: loaded inside a test, their code would
// count against that test's memory (measured: about 1 MB on a test's figure).
import { afterAll, afterEach, beforeEach, chai, expect, inject, type TestContext } from 'vitest'
import './types.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import { holdableRunnerUpdates, type RunnerUpdates } from '../worker/runner-updates.js'
import { createTestRecorder } from '../worker/test-recorder.js'
import { openTrail } from '../worker/trail.js'
import { formatTestBudgetFailure } from './failure-message.js'
import { memoryMatchers } from './index.js'
import { settleUnawaited, takeUnawaited, trackCall } from './unawaited.js'

/**
 * What a worker process sets up once. With `isolate: false` one process runs many test files and
 * the hooks are registered again for each: matchers wrapped twice would track every call twice, and
 * a recorder per file would start each file with a full GC and a new trail.
 */
interface WorkerState {
  /** The `expect` instances given the matchers: one per process with `isolate: false`. */
  extended: WeakSet<object>
  recording: { recorder: ReturnType<typeof createTestRecorder>, trail: ReturnType<typeof openTrail> } | undefined
}
const STATE = Symbol.for('vitest-memory-budget.worker')
const global = globalThis as { [STATE]?: WorkerState }

function installMatchers(): void {
  expect.extend(memoryMatchers)
  chai.use((api, utils) => {
    for (const name of Object.keys(memoryMatchers)) {
      utils.overwriteMethod(api.Assertion.prototype, name, (original: (...args: unknown[]) => unknown) =>
        function (this: object, ...args: unknown[]) {
          const result = original.apply(this, args)
          if (!(result instanceof Promise))
            return result
          const assertion = `expect(fn)${utils.flag(this, 'negate') ? '.not' : ''}.${name}(${args.map(a => JSON.stringify(a)).join(', ')})`
          return trackCall(result, utils.flag(this, 'vitest-test'), assertion)
        })
    }
  })
}

function setUpWorker(): WorkerState {
  const workerConfig = inject(WORKER_CONFIG_KEY)
  return {
    extended: new WeakSet(),
    recording: workerConfig && { recorder: createTestRecorder(workerConfig), trail: openTrail(workerConfig.trailDirectory) },
  }
}

type Recording = NonNullable<WorkerState['recording']>

function finishTest(task: TestContext['task'], recording: Recording | undefined, updates: RunnerUpdates | undefined, unawaited: Error | undefined): void {
  const errors = unawaited ? [unawaited.message] : []
  const record = recording?.recorder.finish(task)
  updates?.release()
  if (record) {
    const meta = task.meta as MemoryTaskMeta
    meta.memory = record
    recording!.trail.finish(task.id, record)
    if (record.attributable && record.violations.length > 0)
      errors.push(formatTestBudgetFailure(record))
  }
  if (errors.length > 0)
    throw new Error(errors.join('\n\n'))
}

/**
 * Sets up the test file being collected: Vitest calls a setup file once per test file, and hooks
 * belong to the file they are registered in. What a process needs once (the matchers, the
 * recorder) is kept on the process and reused.
 */
export function registerTestHooks(): void {
  const { extended, recording } = (global[STATE] ??= setUpWorker())
  if (!extended.has(expect)) {
    installMatchers()
    extended.add(expect)
  }
  // Per file: with `isolate: false` Vitest gives each file a new worker state.
  const updates = recording && holdableRunnerUpdates()
  /** Tests being measured, from their first hook to their last (several only with `test.concurrent`). */
  const open = new Set<TestContext['task']>()
  // An afterEach that throws stops the ones after it, this file's own among them: the test stays
  // open, the next one would count as running beside it and the runner's messages would stay held.
  // Such a test has failed already; its numbers are dropped and the next test starts clean.
  const abandonEnded = () => {
    for (const task of open) {
      if (task.result?.state === 'run')
        continue
      open.delete(task)
      recording?.recorder.finish(task)
      updates?.release()
    }
  }

  beforeEach(({ task }) => {
    abandonEnded()
    if (recording) {
      recording.trail.start(task.id)
      updates?.hold()
      recording.recorder.start(task)
      open.add(task)
    }
  })
  // Registered first, so it runs after the test's own afterEach hooks: their memory counts as the test's.
  afterEach(({ task }) => {
    open.delete(task)
    const unawaited = takeUnawaited(task)
    if (unawaited)
      return settleUnawaited(unawaited).then(error => finishTest(task, recording, updates, error))
    finishTest(task, recording, updates, undefined)
  })
  afterAll(abandonEnded)
}
