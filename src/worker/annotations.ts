import { isMeasured, SIZE_METRICS } from '../measure/metric-names.js'
import { formatBytes } from '../measure/size.js'
import type { TestMemoryRecord } from './test-recorder.js'

/** One of Vitest's test annotations: shown on the test in `vitest --ui` and the `html` reporter. */
export interface MemoryAnnotation {
  type: 'memory' | 'memory: over budget'
  message: string
}

/**
 * A test's figures, and what broke its budget, as annotations. Each message is one line: the UI
 * shows it under the type, and nothing in it comes from the test's name.
 */
export function memoryAnnotations(record: TestMemoryRecord): MemoryAnnotation[] {
  if (!record.attributable)
    return [{ type: 'memory', message: 'not measured: the test ran concurrently with others in its worker (test.concurrent)' }]
  const family = record.violations[0]?.limit.family ?? 'si'
  const size = (bytes: number) => formatBytes(bytes, family)
  // native only where counted: a NaN would read as a figure.
  const shown = SIZE_METRICS.filter(metric => metric !== 'native' || isMeasured(record.native))
  const figures = [...shown.map(metric => `${metric} ${size(record[metric])}`), `${record.gcCount} GC${record.gcCount === 1 ? '' : 's'}`].join(' · ')
  const annotations: MemoryAnnotation[] = [{ type: 'memory', message: figures }]
  if (record.violations.length > 0) {
    const broken = record.violations.map(v => `${v.metric} ${size(v.value)} > ${size(v.limit.bytes)} (budget ${JSON.stringify(v.limit.pattern)})`)
    annotations.push({ type: 'memory: over budget', message: broken.join(', ') })
  }
  return annotations
}

/** Vitest's test task as far as annotating it goes; structural, so this layer imports nothing from Vitest. */
export interface AnnotatableTask {
  result?: { state: string }
  context: { annotate: (message: string, type?: string, attachment?: { path: string, contentType: string }) => Promise<unknown> }
}

/**
 * Annotates a test whose body has ended (from the plugin's runner or an `afterEach` hook): the only
 * moment its figures are known. Vitest's `annotate` refuses a test whose state is no longer `run`
 * (it is `pass` or `fail` by then, on 4.1 and 5), so the state reads `run` for that synchronous
 * check and is put back before anything else runs. Made by the plugin, the annotation has no
 * location in a test file, so Vitest's `github-actions` reporter, which turns only located annotations into
 * workflow commands, leaves it out.
 */
export function annotateEndedTest(task: AnnotatableTask, annotation: MemoryAnnotation, attachment?: { path: string, contentType: string }): Promise<unknown> {
  const result = task.result
  const state = result?.state
  if (result)
    result.state = 'run'
  try {
    return task.context.annotate(annotation.message, annotation.type, attachment)
  }
  finally {
    if (result)
      result.state = state!
  }
}
