import { describe, expect, test } from 'vitest'
import { gcEventsFromTrace, markerThread, type TraceEvent } from '../../src/measure/browser/trace.js'
import { withJsFlags } from '../../src/plugin/chromium-launch.js'

const page = { pid: 10, tid: 1 }
const stats = (ts: number, external: number, thread = page): TraceEvent => ({ name: 'V8.GC_Heap_Stats', ph: 'I', ts, ...thread, args: { stats: JSON.stringify({ used_heap_size: 1, external_memory: external }) } })
const gc = (name: 'MinorGC' | 'MajorGC', ts: number, before: number, after: number, thread = page): TraceEvent =>
  ({ name, ph: 'X', ts, dur: 2000, ...thread, args: { usedHeapSizeBefore: before, usedHeapSizeAfter: after } })

describe('GC events from a Chrome trace', () => {
  test('reads the heap before and after each GC of the page\'s thread, from the window\'s start on', () => {
    const events = [
      gc('MajorGC', 50, 900, 800), // before the window
      stats(51, 5000),
      gc('MinorGC', 300, 2000, 1500, { pid: 11, tid: 1 }), // another renderer
      stats(301, 1, { pid: 11, tid: 1 }),
      gc('MajorGC', 200, 3000, 1200),
      stats(1990, 7000),
      gc('MinorGC', 100, 1500, 1100),
      stats(101, 9000),
    ]
    expect(gcEventsFromTrace(events, page, 100, { heap: 1000, external: 4000 })).toEqual([
      { type: 'scavenge', before: { heap: 1500, external: 9000 }, after: { heap: 1100, external: 9000 }, duration: 2 },
      // External memory before a GC is not traced: at least what it was after the GC before.
      { type: 'mark-compact', before: { heap: 3000, external: 9000 }, after: { heap: 1200, external: 7000 }, duration: 2 },
    ])
  })

  test('finds the page\'s thread by the marker it wrote', () => {
    const marker: TraceEvent = { name: 'TimeStamp', ph: 'I', ts: 42, pid: 10, tid: 7, args: { data: { message: 'm-2' } } }
    expect(markerThread([{ ...marker, args: { data: { message: 'm-1' } } }, marker], 'm-2')).toEqual({ pid: 10, tid: 7, ts: 42 })
    expect(markerThread([marker], 'm-3')).toBeUndefined()
  })
})

describe('Chromium launch arguments', () => {
  test('V8 flags join the user\'s own --js-flags, which Chromium reads once', () => {
    expect(withJsFlags(['--no-sandbox'], ['--single-threaded'])).toEqual(['--no-sandbox', '--js-flags=--single-threaded'])
    expect(withJsFlags(['--js-flags=--expose-gc --single-threaded', '--headless'], ['--single-threaded', '--max-semi-space-size=16']))
      .toEqual(['--js-flags=--expose-gc --single-threaded --max-semi-space-size=16', '--headless'])
  })
})
