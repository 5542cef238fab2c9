import { checkOptions, describeValue } from '../measure/arguments.js'
import type { HeapKind } from '../measure/heap-snapshot.js'
import { DOM_LEAK_PER_CALL, LEAK_OPTION_NAMES, type LeakMeasurement, measureLeakWith, type MeasureLeakOptions } from '../measure/leak-trend.js'
import type { MemoryProbe } from '../measure/probe.js'
import type { RetainerTraces } from '../measure/retainers.js'
import { formatBytes } from '../measure/size.js'
import { assertFunction, type MatcherContext, type MatcherResult } from './to-stay-under.js'

export interface LeakOptions extends MeasureLeakOptions {
  /** Keep the heap snapshots taken to explain a leak in this folder (for Chrome DevTools), and print their paths. */
  snapshots?: string
}

/** Kinds of objects listed in a leak failure. */
const KINDS_SHOWN = 5

export interface LeakExplanation {
  growth: HeapKind[]
  calls: number
  files: string[]
  retainers: RetainerTraces
}

/** Explains a leak found by the probe: what grew and what holds it, where the runtime can tell. */
export type ExplainLeak = (fn: () => unknown, calls: number, snapshots: string | undefined) => Promise<LeakExplanation>

/** Retainer traces, or how to get them. */
export function formatRetainers(retainers: RetainerTraces): string[] {
  if (retainers.status === 'missing') {
    return [
      'To see what still holds them, install memlab as a dev dependency: retainer traces then appear here.',
      '  PUPPETEER_SKIP_DOWNLOAD=1 npm install --save-dev memlab',
      '  (the variable, or a .puppeteerrc.cjs, keeps puppeteer, a dependency of memlab, from downloading Chrome)',
    ]
  }
  if (retainers.status === 'failed')
    return [`No retainer traces: ${retainers.reason}`]
  if (retainers.traces.length === 0)
    return ['No retainer traces: memlab found no path from a GC root to the new objects.']
  const sizes = retainers.traces.map(t => formatBytes(t.bytes))
  const counts = retainers.traces.map(t => `${t.objects} ${t.objects === 1 ? 'object' : 'objects'}`)
  const sizeWidth = Math.max(...sizes.map(s => s.length))
  const countWidth = Math.max(...counts.map(c => c.length))
  return [
    'Retained through (shortest paths from a GC root, by memlab):',
    ...retainers.traces.map((trace, i) => `  ${sizes[i]!.padStart(sizeWidth)} in ${counts[i]!.padEnd(countWidth)}  ${trace.path.join(' -> ')}`),
  ]
}

export function formatLeakFailure(m: LeakMeasurement, negated: boolean, warmup: number, explanation?: LeakExplanation): string {
  const perCall = formatBytes(m.retainedPerCall)
  if (!negated) {
    const stopped = m.slowing ? '; it grew at first, then stopped, as a bounded cache does once it is full' : ''
    return `expected the function to leak more than ${formatBytes(m.threshold)} per call, but it kept ${perCall} per call (over ${m.calls} calls after ${warmup} warm-up calls${stopped})`
  }
  const count = (n: number) => Number(n.toFixed(2))
  const dom = m.dom && ([[m.dom.nodes, 'DOM nodes'], [m.dom.listeners, 'event listeners'], [m.dom.documents, 'documents']] as const)
  // A DOM leak can weigh a few bytes on the V8 heap (detached nodes live in Blink's heap): name it first.
  const domKept = dom ? dom.filter(([n]) => n >= DOM_LEAK_PER_CALL).map(([n, noun]) => `${count(n)} ${noun}`) : []
  const lines = [
    `expected the function not to leak, but it kept ${perCall}${domKept.length > 0 ? ` and ${domKept.join(', ')}` : ''} per call (${formatBytes(m.retainedTotal)} over ${m.calls} calls after ${warmup} warm-up calls; the threshold is ${formatBytes(m.threshold)} per call)`,
    '',
    `  retained after full GCs, sample by sample: ${m.samples.map(s => formatBytes(s)).join(', ')}`,
  ]
  // Only for a series that slows down: under a straight line the hint sent readers looking for a cache.
  if (m.slowing)
    lines.push('  The last batch grew less than half as much, as a bounded cache does when it is nearly full: if this is one, a warmup above its size fills it before the first sample.')
  if (dom)
    lines.push(`  DOM kept per call after full GCs: ${dom.map(([n, noun]) => `${n > 0 ? '+' : ''}${count(n)} ${noun}`).join(', ')}`)
  if (explanation) {
    const shown = explanation.growth.slice(0, KINDS_SHOWN)
    const counts = shown.map(k => `${k.count >= 0 ? '+' : ''}${k.count}`)
    const sizes = shown.map(k => `${k.bytes >= 0 ? '+' : ''}${formatBytes(k.bytes)}`)
    const countWidth = Math.max(0, ...counts.map(c => c.length))
    const sizeWidth = Math.max(0, ...sizes.map(s => s.length))
    lines.push('', `Objects that grew over ${explanation.calls} more calls (heap snapshots before and after):`)
    shown.forEach((kind, i) => lines.push(`  ${counts[i]!.padStart(countWidth)}  ${sizes[i]!.padStart(sizeWidth)}  ${kind.kind}`))
    lines.push('', ...formatRetainers(explanation.retainers), '')
    lines.push(explanation.files.length > 0
      ? `Heap snapshots: ${explanation.files.join(', ')} (Chrome DevTools, Memory tab: load both, then the Comparison view shows what holds them).`
      : `To look further at what holds them, keep the snapshots with { snapshots: '<folder>' } and compare them in Chrome DevTools (Memory tab).`)
  }
  return lines.join('\n')
}

/**
 * `await expect(fn).not.toLeak(options)` measured by `probe`: calls `fn` in batches with full GCs
 * between them and fails when what stays reachable grows by more than the threshold per call, or
 * the DOM keeps nodes, listeners or documents. `explain` adds what grew and what holds it.
 */
export function createToLeak(probe: MemoryProbe, explain?: ExplainLeak) {
  return async function toLeak(this: MatcherContext, received: unknown, options: LeakOptions = {}): Promise<MatcherResult> {
    assertFunction(received, 'toLeak')
    checkOptions('toLeak()', options, explain ? [...LEAK_OPTION_NAMES, 'snapshots'] : LEAK_OPTION_NAMES)
    const { snapshots, ...leakOptions } = options
    if (snapshots !== undefined && (typeof snapshots !== 'string' || snapshots.trim() === ''))
      throw new TypeError(`toLeak() option "snapshots" must be a folder path, got ${describeValue(snapshots)}.`)
    const measurement = await measureLeakWith(probe, received, leakOptions)
    const negated = Boolean(this.isNot)
    const explanation = explain && measurement.leaks && negated ? await explain(received, leakOptions.callsPerIteration ?? 100, snapshots) : undefined
    return {
      pass: measurement.leaks,
      message: () => formatLeakFailure(measurement, negated, leakOptions.warmup ?? 100, explanation),
    }
  }
}
