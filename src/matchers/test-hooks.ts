// What a Node worker sets up, from the plugin's runner or from a setup file: installs the memory
// matchers, catches un-awaited calls, and, under the plugin, measures every test and holds it to its
// configured budget.
//
// The matchers are imported here, not on their first call: loaded inside a test, their code would
// count against that test's memory (measured: about 1 MB on a test's figure).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject, type TestContext } from 'vitest'
import './types.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import type { AllocationSampling } from '../measure/allocation-sites.js'
import { annotateEndedTest, memoryAnnotations } from '../worker/annotations.js'
import { keepHeapProfile, setHeapProfileDirectory } from '../worker/heap-profiles.js'
import { createNodeMeter, relativeFile } from '../worker/node-meter.js'
import { createLineFinder, lineAndColumn, taskNamePath } from '../worker/locate.js'
import { holdableRunnerUpdates } from '../worker/runner-updates.js'
import { createTestRecorder, type TestMemoryRecord } from '../worker/test-recorder.js'
import { createFileMeter } from '../worker/file-meter.js'
import { openTrail } from '../worker/trail.js'
import { memoryMatchers } from './index.js'
import { installMatchers } from './install.js'
import { type Recording, registerRecordingHooks } from './recording-hooks.js'

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
    /** Each test file's whole-life figures, and the file whose life is running (absolute path). */
    files: ReturnType<typeof createFileMeter>
    runningFile: string | undefined
  } | undefined
}
type WorkerRecording = NonNullable<WorkerState['recording']>
const STATE = Symbol.for('vitest-memory-budget.worker')
const global = globalThis as { [STATE]?: WorkerState }

function setUpWorker(): WorkerState {
  const workerConfig = inject(WORKER_CONFIG_KEY)
  if (workerConfig)
    setHeapProfileDirectory(workerConfig.profiles, workerConfig.root)
  return {
    extended: new WeakSet(),
    recording: workerConfig && {
      recorder: createTestRecorder({ root: workerConfig.root, budgets: workerConfig.budgets, relativeFile }, createNodeMeter(workerConfig)),
      trail: openTrail(workerConfig.trailDirectory, workerConfig.heapLimit),
      profiles: workerConfig.profiles !== undefined,
      samplings: new Map(),
      annotations: workerConfig.annotations,
      root: workerConfig.root,
      files: createFileMeter(workerConfig.isolate),
      runningFile: undefined,
    },
  }
}

/**
 * Starts sampling a test's allocations when it could end over its config budget and profiles are
 * on: its end is the first moment anyone knows it was too heavy, and a test cannot be run again.
 */
async function startProfiling(task: TestContext['task'], recording: WorkerRecording): Promise<void> {
  // Loaded on first use, as the probe does: a worker that never samples never loads the inspector.
  const { startAllocationSampling } = await import('../measure/allocation-sites.js')
  recording.samplings.set(task, await startAllocationSampling())
}

/** The test's profile file when it ended over budget; its sampling stopped either way. */
async function finishProfiling(task: TestContext['task'], recording: WorkerRecording, overBudget: boolean): Promise<string | undefined> {
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

/** The test's figures and budget failure on the test itself, for `vitest --ui` and the `html` reporter; the over-budget one carries its heap profile. */
async function annotate(task: TestContext['task'], record: TestMemoryRecord, profile: string | undefined): Promise<void> {
  for (const annotation of memoryAnnotations(record)) {
    const attachment = profile !== undefined && annotation.type === 'memory: over budget' ? { path: profile, contentType: 'application/json' } : undefined
    await annotateEndedTest(task, annotation, attachment)
  }
}

/**
 * Gives this process's `expect` the matchers and returns what records each test under the plugin
 * (undefined without it). What a process needs once (the matchers, the recorder) is kept on the
 * process and reused.
 */
export function nodeTestRecording(): Recording | undefined {
  const { extended, recording } = (global[STATE] ??= setUpWorker())
  if (!extended.has(expect)) {
    installMatchers(memoryMatchers)
    extended.add(expect)
  }
  if (!recording)
    return undefined
  // Looked up as each test starts: with `isolate: false` Vitest gives each file a new worker state.
  let updates: ReturnType<typeof holdableRunnerUpdates>
  return {
    recorder: recording.recorder,
    beforeStart(task) {
      fileStarted(recording, task.file.filepath)
      recording.trail.start(task.id)
      updates = holdableRunnerUpdates()
      updates?.hold()
      // Profiled tests start sampling before the recorder's baseline, so what starting the sampler
      // allocates is not theirs; the others start at once, with nothing awaited.
      if (recording.profiles && recording.recorder.hasBudget(task))
        return startProfiling(task, recording)
    },
    afterFinish(task, record) {
      updates?.release()
      if (record)
        recording.trail.finish(task.id, record)
    },
    afterRecord(task, record) {
      if (!recording.samplings.has(task) && !recording.annotations)
        return undefined
      return (async () => {
        // After the recorder closed the test's window: reading the profile costs the test nothing.
        const profile = await finishProfiling(task, recording, record.attributable && record.violations.length > 0)
        if (recording.annotations)
          await annotate(task, record, profile === undefined ? undefined : join(recording.root, profile))
        return profile
      })()
    },
    settle(task) {
      const state = task.result?.state
      if (state === 'pass' || state === 'fail')
        recording.trail.settle(task.id, state === 'pass' ? 'passed' : 'failed')
    },
    fileEnded(file) {
      fileStarted(recording, file.filepath)
      const memory = recording.files.end()
      recording.runningFile = undefined
      ;(file.meta as MemoryTaskMeta).memoryFile = memory
      recording.trail.fileEnd(file.filepath, memory)
    },
    abandon(task) {
      const sampling = recording.samplings.get(task)
      recording.samplings.delete(task)
      return sampling?.discard()
    },
    locate,
  }
}

/**
 * Marks in the trail that a test file is running in this worker: at its collection under the plugin's
 * runner, else (a setup file's hooks) as its first test starts.
 */
function fileStarted(recording: WorkerRecording, filepath: string): void {
  if (recording.runningFile === filepath)
    return
  recording.runningFile = filepath
  recording.trail.fileStart(filepath)
}

/** The file being collected: under the plugin's runner, a trail line before its imports run. */
export function fileCollecting(filepath: string): void {
  const recording = global[STATE]?.recording
  if (recording)
    fileStarted(recording, filepath)
}

/** Where a failing test is declared: its file read once it fails, as the reporter does for the report's lines. */
function locate(task: TestContext['task']): { line: number, column: number } | undefined {
  let source: string
  try {
    source = readFileSync(task.file.filepath, 'utf8')
  }
  catch {
    return undefined
  }
  const line = createLineFinder(source)(taskNamePath(task))
  return line === null ? undefined : lineAndColumn(source, line)
}

/** Sets up the test file being collected (the setup file's way, for a project with a runner of its own). */
export function registerTestHooks(): void {
  registerRecordingHooks(nodeTestRecording())
}
