import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { renderAnnotations } from '../../src/render/github.js'
import { renderMarkdownReport } from '../../src/render/markdown.js'
import { describeCrash, renderTerminalSummary } from '../../src/render/terminal.js'
import { buildReport } from '../../src/report/model.js'
import { clearTrails, readTrails } from '../../src/worker/trail-directory.js'
import { environment, memory, sampleTests } from '../helpers/sample-report.js'

const crash = { heap: 12e6, external: 10e6, rss: 90e6, heapLimit: 128e6, v8HeapLimit: 178.3e6 }
const report = buildReport(
  [...sampleTests, { id: 'd-1', project: '', file: 'test/d.test.ts', name: 'grows without end', line: 7, state: 'pending', memory: undefined, crash }],
  environment,
  [],
  new Date('2026-11-23T12:00:00Z'),
)

describe('a crashed test in the report', () => {
  test('has its own verdict and count, and keeps the memory last seen', () => {
    expect(report.tests.find(t => t.id === 'd-1')).toMatchObject({ verdict: 'crashed', metrics: null, crash })
    expect(report.summary).toMatchObject({ crashed: 1, notMeasured: 1 })
    // Tests that did not crash carry no crash field, so the JSON of a clean run is unchanged.
    expect(report.tests.filter(t => 'crash' in t)).toHaveLength(1)
  })

  test('is named in the terminal, the Markdown summary and a GitHub error annotation', () => {
    const terminal = renderTerminalSummary(report, { top: 10 })
    expect(terminal).toContain('1 crashed')
    expect(terminal).toContain(' Crashed (1): the worker died while the test ran\n  ✗ test/d.test.ts > grows without end: when it started, heap 12 MB, external 10 MB, RSS 90 MB; heap limit 128 MB (V8\'s heap_size_limit, which adds the young generation: 178.3 MB)')
    expect(renderMarkdownReport(report)).toContain('1 crashed (the worker died)')
    expect(renderAnnotations(report)).toContain('::error file=test/d.test.ts,line=7,title=Test worker crashed::grows without end: the worker died while the test ran (when it started, heap 12 MB, external 10 MB, RSS 90 MB; heap limit 128 MB (V8\'s heap_size_limit, which adds the young generation: 178.3 MB))')
  })

  test('without a heapLimit set, names V8\'s limit once', () => {
    expect(describeCrash({ ...crash, heapLimit: 4.34e9, v8HeapLimit: 4.34e9 })).toBe('when it started, heap 12 MB, external 10 MB, RSS 90 MB; heap limit 4.34 GB (V8\'s heap_size_limit)')
  })
})

describe('worker trails', () => {
  test('pair starts with finishes and results by test id, and skip a line a killed worker cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trails-'))
    const finished = memory(5e6)
    writeFileSync(join(dir, '101.jsonl'), [
      JSON.stringify({ event: 'start', id: 'a', memory: crash }),
      JSON.stringify({ event: 'finish', id: 'a', memory: finished }),
      JSON.stringify({ event: 'settle', id: 'a', state: 'failed' }),
      JSON.stringify({ event: 'start', id: 'b', memory: crash }),
      '{"event":"finish","id":"b","mem',
    ].join('\n'))
    appendFileSync(join(dir, 'not-a-trail.txt'), 'ignored')
    const trails = readTrails(dir)
    expect(trails.get('a')).toEqual({ started: crash, finished, settled: 'failed' })
    expect(trails.get('b')).toEqual({ started: crash, finished: undefined })
    expect(trails.size).toBe(2)
    clearTrails(dir)
    expect(readTrails(dir).size).toBe(0)
    expect(readTrails(join(dir, 'missing')).size).toBe(0)
  })
})
