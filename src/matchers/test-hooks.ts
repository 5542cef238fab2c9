// What a test file's setup does: installs the memory matchers, catches un-awaited calls, and, under
// the plugin, measures every test and holds it to its configured budget.
//
// The matchers are imported here, not on their first call: loaded inside a test, their code would
// count against that test's memory (measured: about 1 MB on a test's figure).
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, chai, expect, inject, type TestContext } from 'vitest'
import './types.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import { holdableRunnerUpdates, type RunnerUpdates } from '../worker/runner-updates.js'
import { annotateEndedTest, memoryAnnotations } from '../worker/annotations.js'
import { createTestRecorder, type TestMemoryRecord } from '../worker/test-recorder.js'
import { keepHeapProfile, setHeapProfileDirectory } from '../worker/heap-profiles.js'
import type { AllocationSampling } from '../measure/allocation-sites.js'
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
  recording: {
    recorder: ReturnType<typeof createTestRecorder>
    trail: ReturnType<typeof openTrail>
    /** Whether tests with a config budget are sampled for a heap profile (the plugin's `profiles`). */
    profiles: boolean
    /** The heap sampling of each test being profiled. */
    samplings: Map<TestContext['task'], AllocationSampling>
    /** Whether each test gets its figures as test annotations, and the root profile paths are relative to. */
    annotations: boolean
    root: string
  } | undefined
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
  if (workerConfig)
    setHeapProfileDirectory(workerConfig.profiles, workerConfig.root)
  return {
    extended: new WeakSet(),
    recording: workerConfig && {
      recorder: createTestRecorder(workerConfig),
      trail: openTrail(workerConfig.trailDirectory),
      profiles: workerConfig.profiles !== undefined,
      samplings: new Map(),
      annotations: workerConfig.annotations,
      root: workerConfig.root,
    },
  }
}

/**
 * Starts sampling a test's allocations when it could end over its config budget and profiles are
 * on: its end is the first moment anyone knows it was too heavy, and a test cannot be run again.
 */
async function startProfiling(task: TestContext['task'], recording: Recording): Promise<void> {
  // Loaded on first use, as the probe does: a worker that never samples never loads the inspector.
  const { startAllocationSampling } = await import('../measure/allocation-sites.js')
  recording.samplings.set(task, await startAllocationSampling())
}

/** The test's profile file when it ended over budget; its sampling stopped either way. */
async function finishProfiling(task: TestContext['task'], recording: Recording, overBudget: boolean): Promise<string | undefined> {
  const sampling = recording.samplings.get(task)
  recording.samplings.delete(task)
  if (!sampling)
    return undefined
  if (!overBudget) {
    await sampling.discard()
    return undefined
  }
  return keepHeapProfile((await sampling.read()).profile, task, 'test')
}

type Recording = NonNullable<WorkerState['recording']>

function failWith(errors: readonly string[]): void {
  if (errors.length > 0)
    throw new Error(errors.join('\n\n'))
}

/** Ends the test's measurement; synchronous unless a heap profile or an annotation is to be written. */
function finishTest(task: TestContext['task'], recording: Recording | undefined, updates: RunnerUpdates | undefined, unawaited: Error | undefined): void | Promise<void> {
  const errors = unawaited ? [unawaited.message] : []
  const record = recording?.recorder.finish(task)
  updates?.release()
  if (!record)
    return failWith(errors)
  const meta = task.meta as MemoryTaskMeta
  meta.memory = record
  recording!.trail.finish(task.id, record)
  const overBudget = record.attributable && record.violations.length > 0
  if (!recording!.samplings.has(task) && !recording!.annotations) {
    if (overBudget)
      errors.push(formatTestBudgetFailure(record))
    return failWith(errors)
  }
  return (async () => {
    // After the recorder closed the test's window: reading the profile costs the test nothing.
    const profile = await finishProfiling(task, recording!, overBudget)
    if (overBudget)
      errors.push(formatTestBudgetFailure(record, profile))
    if (recording!.annotations)
      await annotate(task, record, profile === undefined ? undefined : join(recording!.root, profile))
    failWith(errors)
  })()
}

/** The test's figures and budget failure on the test itself, for `vitest --ui` and the `html` reporter; the over-budget one carries its heap profile. */
async function annotate(task: TestContext['task'], record: TestMemoryRecord, profile: string | undefined): Promise<void> {
  for (const annotation of memoryAnnotations(record)) {
    const attachment = profile !== undefined && annotation.type === 'memory: over budget' ? { path: profile, contentType: 'application/json' } : undefined
    await annotateEndedTest(task, annotation, attachment)
  }
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
  // Returns the stopping of an abandoned test's heap sampling, if it had one: the next sampling can
  // only start once it has stopped.
  const abandonEnded = (): Promise<unknown> | undefined => {
    const stopping: Array<Promise<void>> = []
    for (const task of open) {
      if (task.result?.state === 'run')
        continue
      open.delete(task)
      recording?.recorder.finish(task)
      updates?.release()
      const sampling = recording?.samplings.get(task)
      if (sampling) {
        recording!.samplings.delete(task)
        stopping.push(sampling.discard())
      }
    }
    return stopping.length > 0 ? Promise.all(stopping) : undefined
  }

  beforeEach(({ task }) => {
    const abandoned = abandonEnded()
    if (!recording)
      return abandoned
    recording.trail.start(task.id)
    updates?.hold()
    const begin = () => {
      recording.recorder.start(task)
      open.add(task)
    }
    // Profiled tests start sampling before the recorder's baseline, so what starting the sampler
    // allocates is not theirs; the others start at once, with nothing awaited.
    if (recording.profiles && recording.recorder.hasBudget(task))
      return Promise.resolve(abandoned).then(() => startProfiling(task, recording)).then(begin)
    begin()
    return abandoned
  })
  // Registered first, so it runs after the test's own afterEach hooks: their memory counts as the test's.
  afterEach(({ task }) => {
    open.delete(task)
    const unawaited = takeUnawaited(task)
    if (unawaited)
      return settleUnawaited(unawaited).then(error => finishTest(task, recording, updates, error))
    return finishTest(task, recording, updates, undefined)
  })
  afterAll(abandonEnded)
}
