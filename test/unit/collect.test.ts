import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { TestModule } from 'vitest/node'
import { collectTests } from '../../src/reporter/collect.js'
import type { TrailRecord } from '../../src/worker/trail-directory.js'
import { memory } from '../helpers/sample-report.js'

const root = join('/repo', 'packages', 'app')
const started = { heap: 1, external: 2, rss: 3, heapLimit: 4, v8HeapLimit: 5 }

// A Node project as resolved: its browser config is there, not enabled.
const NODE_PROJECT = { name: 'unit', config: { browser: { enabled: false, name: 'chromium' } } }

/** Vitest's test modules reduced to what collectTests reads. */
function modules(tests: Array<{ id: string, state: string, meta?: object }>, project = NODE_PROJECT, meta: object = {}): TestModule[] {
  const module = { moduleId: join(root, 'test', 'a.test.ts'), project, meta: () => meta }
  const testCases = tests.map(({ id, state, meta = {} }) => ({ id, fullName: `suite > ${id}`, project: module.project, location: { line: 3, column: 1 }, result: () => ({ state }), meta: () => meta }))
  return [{ ...module, children: { allTests: () => testCases[Symbol.iterator]() } }] as unknown as TestModule[]
}

describe('collectTests', () => {
  test('takes each test\'s memory from Vitest, with its file relative to the root, and leaves out type tests', () => {
    const reads: number[] = []
    const collected = collectTests([
      ...modules([
        { id: 'ran', state: 'passed', meta: { memory: memory(5e6) } },
        { id: 'skipped', state: 'skipped' },
      ]),
      // Vitest 5 marks only the type-test file.
      ...modules([{ id: 'typed', state: 'passed' }], NODE_PROJECT, { typecheck: true }),
    ], root, () => {
      reads.push(1)
      return new Map()
    })
    expect(collected).toEqual([
      { id: 'ran', project: 'unit', browser: null, file: 'test/a.test.ts', name: 'suite > ran', line: 3, state: 'passed', memory: memory(5e6) },
      { id: 'skipped', project: 'unit', browser: null, file: 'test/a.test.ts', name: 'suite > skipped', line: 3, state: 'skipped', memory: undefined },
    ])
    // Every result arrived: the trails are not read.
    expect(reads).toEqual([])
  })

  test('names the browser of a browser-mode project\'s tests', () => {
    const ui = { name: 'ui (webkit)', config: { browser: { enabled: true, name: 'webkit' } } }
    const [collected] = collectTests(modules([{ id: 'ran', state: 'passed' }], ui), root, () => new Map())
    expect(collected).toMatchObject({ project: 'ui (webkit)', browser: 'webkit' })
  })

  test('reads the trails for tests whose results did not arrive: finished ones and the one that crashed', () => {
    const trails = new Map<string, TrailRecord>([
      ['finished', { started, finished: memory(7e6) }],
      ['crashed', { started, finished: undefined }],
    ])
    const collected = collectTests(modules([
      { id: 'finished', state: 'pending' },
      { id: 'crashed', state: 'pending' },
    ]), root, () => trails)
    expect(collected.map(({ id, memory, crash }) => ({ id, memory, crash }))).toEqual([
      { id: 'finished', memory: memory(7e6), crash: undefined },
      { id: 'crashed', memory: undefined, crash: started },
    ])
  })

  test('takes the result of a finished test Vitest reports pending from its trail', () => {
    const trails = new Map<string, TrailRecord>([
      ['passed', { started, finished: memory(7e6), settled: 'passed' }],
      ['failed', { started, finished: memory(1e6), settled: 'failed' }],
      // A project with a runner of its own writes no results to the trail.
      ['unsettled', { started, finished: memory(2e6) }],
      ['crashed', { started, finished: undefined }],
    ])
    const collected = collectTests(modules([
      { id: 'passed', state: 'pending' },
      { id: 'failed', state: 'pending' },
      { id: 'unsettled', state: 'pending' },
      { id: 'crashed', state: 'pending' },
    ]), root, () => trails)
    expect(collected.map(({ id, state, crash }) => ({ id, state, crashed: crash !== undefined }))).toEqual([
      { id: 'passed', state: 'passed', crashed: false },
      { id: 'failed', state: 'failed', crashed: false },
      { id: 'unsettled', state: 'pending', crashed: false },
      { id: 'crashed', state: 'pending', crashed: true },
    ])
  })
})
