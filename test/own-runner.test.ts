import { describe, expect, test } from 'vitest'
import type { FileMemory } from '../src/worker/file-meter.js'
import type { TestMemory } from '../src/worker/test-recorder.js'
import { runFixture } from './helpers/run-fixture.js'

describe('a project with a test runner of its own', () => {
  test('keeps its runner and has every test recorded and held to its budget by the setup file', async () => {
    const run = await runFixture('own-runner')
    const byName = Object.fromEntries(run.tests.map(t => [t.fullName, t]))
    const memory = (name: string) => byName[name]!.meta.memory as TestMemory | undefined
    expect(run.tests.map(t => [t.fullName, t.meta.ranByOwnRunner])).toEqual(run.tests.map(t => [t.fullName, true]))

    expect(memory('keeps 5 MB')!.external).toBeGreaterThanOrEqual(5e6)
    expect(memory('keeps 5 MB')!.external).toBeLessThan(5.1e6)
    expect(byName['keeps 10 MB, over its 8 MB budget']!.errors[0]).toMatch(/^Memory budget exceeded: external memory \(ArrayBuffer, Buffer\) 10 MB is over the 8 MB budget/)

    // The hooks' way: a throwing afterEach before the plugin's drops that test's numbers, and only those.
    expect(byName['an afterEach that throws > allocates 3 MB, then its afterEach throws']!.errors).toEqual(['afterEach fails on purpose'])
    expect(memory('an afterEach that throws > allocates 3 MB, then its afterEach throws')).toBeUndefined()
    expect(memory('runs after the throwing afterEach')!.external).toBeGreaterThanOrEqual(1e6)
    expect(memory('runs after the throwing afterEach')!.external).toBeLessThan(1.1e6)

    expect(byName['calls a matcher without await']!.errors[0]).toMatch(/^A memory assertion was not awaited/)

    // The setup file's afterAll gives the file its whole-life figures, as the plugin's runner does.
    const file = run.modules['own-runner.test.ts']!.memoryFile as FileMemory
    expect(file).toMatchObject({ worker: expect.any(Number), order: 1 })
    expect(file.total).toBeGreaterThan(5e6)
    expect(file.retained).toBeGreaterThan(file.startRetained)
  })

  // The plugin's runner fails such a test itself (test/config-shapes.test.ts); here only the run can fail.
  test('a test over budget that Vitest passed (test.fails) fails the run', async () => {
    const run = await runFixture('own-runner', { testNamePattern: 'fails, with 10 MB' })
    expect(run.tests.filter(t => t.state !== 'skipped').map(t => [t.fullName, t.state])).toEqual([['fails, with 10 MB over its 8 MB budget', 'passed']])
    expect((run.tests.find(t => t.state === 'passed')!.meta.memory as TestMemory).violations).toHaveLength(1)
    expect(run.exitCode).toBe(1)
  })
})
