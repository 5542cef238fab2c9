import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { HeapProfile, ProfileNode } from '../src/measure/allocation-sites.js'
import type { MemoryReport } from '../src/report/model.js'
import type { ReportPage } from '../src/render/html.js'
import { type FixtureRun, fixturePath, runFixture } from './helpers/run-fixture.js'

const root = fixturePath('heap-profiles')
const profiles = join(root, 'reports/profiles')
/** What each heavy call keeps: 5,000 arrays of 1,000 small integers, 8 bytes each. */
const KEPT = 5000 * 1000 * 8
/** The line of `keepArrays` in the fixture's source, where every report must place it. */
const KEEP_ARRAYS_LINE = readFileSync(join(root, 'profiled.test.ts'), 'utf8').split('\n').findIndex(line => line.startsWith('function keepArrays(')) + 1

let run: FixtureRun
beforeAll(async () => {
  rmSync(join(root, 'reports'), { recursive: true, force: true })
  run = await runFixture('heap-profiles')
})

const testNamed = (start: string) => run.tests.find(t => t.fullName.startsWith(start))!
/** The profile path a failure message names. */
const linkedFrom = (message: string) => /^Heap profile: (\S+\.heapprofile) \(Chrome DevTools: Memory, Load profile; or speedscope\)$/m.exec(message)?.[1]

function readProfile(path: string): HeapProfile {
  return JSON.parse(readFileSync(join(root, path), 'utf8')) as HeapProfile
}

function selfSizes(node: ProfileNode): number {
  return node.selfSize + node.children.reduce((sum, child) => sum + selfSizes(child), 0)
}

/** A file Chrome DevTools and speedscope load: the JSON of V8's SamplingHeapProfile, with the known allocation in it. */
function expectValidProfile(path: string, kept: number): void {
  const profile = readProfile(path)
  expect(profile.head.callFrame).toMatchObject({ functionName: expect.any(String), url: expect.any(String), lineNumber: expect.any(Number), columnNumber: expect.any(Number), scriptId: expect.any(String) })
  expect(profile.samples.length).toBeGreaterThan(100)
  expect(profile.samples.every(s => Number.isInteger(s.nodeId) && s.size > 0 && Number.isInteger(s.ordinal))).toBe(true)
  // V8 scales each node's self size for the objects its sampling skipped: that sum is the estimate
  // (measured 41.1 to 41.7 MB for 40 MB kept, on Node 20 and 24). The samples' own sizes are not
  // scaled the same way and sum higher (47.7 to 48.4 MB).
  expect(selfSizes(profile.head)).toBeGreaterThan(kept * 0.9)
  expect(selfSizes(profile.head)).toBeLessThan(kept * 1.15)
  const sampled = profile.samples.reduce((sum, s) => sum + s.size, 0)
  expect(sampled).toBeGreaterThan(kept * 0.9)
  expect(sampled).toBeLessThan(kept * 1.35)
  // Every sample belongs to a node of the tree.
  const ids = new Set<number>()
  const walk = (node: ProfileNode): void => {
    ids.add(node.id)
    node.children.forEach(walk)
  }
  walk(profile.head)
  expect(profile.samples.every(s => ids.has(s.nodeId))).toBe(true)
  // Frames at the lines of the fixture's source, not of the code Vitest transformed from it.
  const frames: ProfileNode['callFrame'][] = []
  const collect = (node: ProfileNode): void => {
    frames.push(node.callFrame)
    node.children.forEach(collect)
  }
  collect(profile.head)
  expect(frames.find(frame => frame.functionName === 'keepArrays')?.lineNumber).toBe(KEEP_ARRAYS_LINE - 1)
}

describe('heap profiles (profiles option)', () => {
  test('a failing toStayUnder writes its profile and links it from the failure and the report', () => {
    const failed = testNamed('a failing toStayUnder')
    const path = linkedFrom(failed.errors[0]!)
    expect(path).toMatch(/^reports\/profiles\/profiled\.test\.ts--a-failing-toStayUnder--[0-9a-f]{10}-toStayUnder-1\.heapprofile$/)
    expectValidProfile(path!, KEPT)
    expect(failed.meta.heapProfiles).toEqual([path])
    const report = JSON.parse(readFileSync(join(root, 'reports/memory.json'), 'utf8')) as MemoryReport
    expect(report.tests.find(t => t.name === 'a failing toStayUnder')!.heapProfiles).toEqual([path])
  })

  test('a test over its config budget writes the profile of the whole test', () => {
    const over = testNamed('over budget')
    const path = linkedFrom(over.errors[0]!)
    expect(over.errors[0]).toContain('Memory budget exceeded')
    expect(path).toMatch(/-test\.heapprofile$/)
    expectValidProfile(path!, KEPT)
  })

  test('a toStayUnder inside a sampled test reads only its own samples of the shared sampling', () => {
    const inside = testNamed('within budget')
    const path = linkedFrom(inside.errors[0]!)
    // Sampled: measured 39.1 to 41.7 MB for the 40 MB kept.
    const site = new RegExp(`Top allocation sites[^\\n]*\\n +(\\d+(?:\\.\\d+)?) MB +keepArrays +\\S*profiled\\.test\\.ts:${KEEP_ARRAYS_LINE}\\b`).exec(inside.errors[0]!)
    expect(Number(site?.[1]) * 1e6).toBeGreaterThan(KEPT * 0.85)
    expect(Number(site?.[1]) * 1e6).toBeLessThan(KEPT * 1.15)
    // The test itself stayed within its budget: its only profile is the matcher's.
    expect(inside.meta.heapProfiles).toEqual([path])
    expectValidProfile(path!, KEPT)
  })

  test('a test whose afterEach threw is still held to its budget and profiled, and so is the next', () => {
    // The plugin's runner ends a test after all its hooks, whichever threw.
    const thrown = run.tests.find(t => t.fullName.endsWith('then its afterEach throws'))!
    expect(thrown.errors[0]).toBe('afterEach fails on purpose')
    expect(thrown.errors[1]).toMatch(/^Memory budget exceeded: V8 heap/)
    const path = linkedFrom(thrown.errors[1]!)
    expect(thrown.meta.heapProfiles).toEqual([path])
    expectValidProfile(path!, KEPT)
    const next = testNamed('over budget, after a test whose afterEach threw')
    const nextPath = linkedFrom(next.errors[0]!)
    expect(nextPath).toMatch(/-test\.heapprofile$/)
    expectValidProfile(nextPath!, KEPT)
  })

  test('passing calls and tests write nothing; every file name is safe whatever the test name', () => {
    expect(testNamed('a passing toStayUnder').meta.heapProfiles).toBeUndefined()
    const files = readdirSync(profiles)
    expect(files).toHaveLength(6)
    for (const file of files) expect(file).toMatch(/^[\w.-]+\.heapprofile$/)
    const hostile = run.tests.find(t => t.fullName.includes('rm -rf'))!
    const path = linkedFrom(hostile.errors[0]!)!
    expect(path).toMatch(/^reports\/profiles\/profiled\.test\.ts--rm--rf-\.\.-\.\.-script-evil-name--[0-9a-f]{10}-toStayUnder-1\.heapprofile$/)
    expect(existsSync(join(root, path))).toBe(true)
  })

  test('the HTML report draws where each profiled test allocated its memory, from its real profile', () => {
    const html = readFileSync(join(root, 'reports/memory.html'), 'utf8')
    const page = JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(html)![1]!) as ReportPage
    const over = page.tests.find(t => t.n === 'over budget: keeps 40 MB of arrays')!
    const [icicle] = over.a!
    expect(Array.isArray(icicle)).toBe(true)
    const [unit, ...flat] = icicle as number[]
    const nodes = Array.from({ length: flat.length / 4 }, (_, i) => ({ frame: page.frames[flat[i * 4]!]!, depth: flat[i * 4 + 1]!, self: flat[i * 4 + 2]! * unit!, total: flat[i * 4 + 3]! * unit! }))
    // Every byte of the profile is in the root, within the rounding of the page (five digits).
    const profile = readProfile(over.h![0]!.replace(/^\.\.\//, ''))
    expect(Math.abs(nodes[0]!.total - selfSizes(profile.head))).toBeLessThanOrEqual(unit!)
    // The 40 MB kept, under keepArrays of the test file, at its line (sampled: 0.9 to 1.15 of it).
    const keep = nodes.find(n => n.frame[0] === 'keepArrays')!
    expect(keep.frame).toEqual(['keepArrays', 'profiled.test.ts', KEEP_ARRAYS_LINE])
    expect(keep.total).toBeGreaterThan(KEPT * 0.9)
    expect(keep.total).toBeLessThan(KEPT * 1.15)
    // The runner's chain down to the test (18 frames of Node and Vitest in this profile) is one row,
    // so the icicle opens on the test: root, runner, the test's function, keepArrays.
    const runner = nodes.filter(n => n.depth === 1).find(n => n.frame[0].includes('frames of the runner'))!
    expect(runner.frame[0]).toMatch(/^\d+ frames of the runner: processTicksAndRejections … /)
    expect(nodes.indexOf(keep) - nodes.indexOf(runner)).toBe(2)
    expect(keep.depth).toBe(3)
    // Pruned to what an icicle can show: no frame under 0.5% of the whole.
    expect(nodes.every(n => n.total >= nodes[0]!.total * 0.005)).toBe(true)
    // Every test with a profile has its tree; none is unreadable.
    expect(page.tests.filter(t => t.h).every(t => t.a!.every(tree => Array.isArray(tree)))).toBe(true)
  })
})
