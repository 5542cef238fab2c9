// What a test file's setup does in a Node worker: installs the memory matchers, catches un-awaited
// calls, and, under the plugin, measures every test and holds it to its configured budget.
//
// The matchers are imported here, not on their first call: loaded inside a test, their code would
// count against that test's memory (measured: about 1 MB on a test's figure).
import { expect, inject } from 'vitest'
import './types.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import { createNodeMeter, relativeFile } from '../worker/node-meter.js'
import { holdableRunnerUpdates } from '../worker/runner-updates.js'
import { createTestRecorder } from '../worker/test-recorder.js'
import { openTrail } from '../worker/trail.js'
import { memoryMatchers } from './index.js'
import { installMatchers } from './install.js'
import { type Recording, registerRecordingHooks } from './recording-hooks.js'
import { settleUnawaited } from './unawaited.js'

/**
 * What a worker process sets up once. With `isolate: false` one process runs many test files and
 * the hooks are registered again for each: matchers wrapped twice would track every call twice, and
 * a recorder per file would start each file with a full GC and a new trail.
 */
interface WorkerState {
  /** The `expect` instances given the matchers: one per process with `isolate: false`. */
  extended: WeakSet<object>
  recording: { recorder: Recording['recorder'], trail: ReturnType<typeof openTrail> } | undefined
}
const STATE = Symbol.for('vitest-memory-budget.worker')
const global = globalThis as { [STATE]?: WorkerState }

function setUpWorker(): WorkerState {
  const workerConfig = inject(WORKER_CONFIG_KEY)
  return {
    extended: new WeakSet(),
    recording: workerConfig && {
      recorder: createTestRecorder({ root: workerConfig.root, budgets: workerConfig.budgets, relativeFile }, createNodeMeter(workerConfig)),
      trail: openTrail(workerConfig.trailDirectory),
    },
  }
}

/**
 * Sets up the test file being collected. What a process needs once (the matchers, the recorder) is
 * kept on the process and reused.
 */
export function registerTestHooks(): void {
  const { extended, recording } = (global[STATE] ??= setUpWorker())
  if (!extended.has(expect)) {
    installMatchers(memoryMatchers)
    extended.add(expect)
  }
  // Per file: with `isolate: false` Vitest gives each file a new worker state.
  const updates = recording && holdableRunnerUpdates()
  registerRecordingHooks(recording && {
    recorder: recording.recorder,
    beforeStart(task) {
      recording.trail.start(task.id)
      updates?.hold()
    },
    afterFinish(task, record) {
      updates?.release()
      if (record)
        recording.trail.finish(task.id, record)
    },
  }, settleUnawaited)
}
