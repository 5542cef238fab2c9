import { readFileSync } from 'node:fs'
import { test } from 'vitest'
import { runFixture } from './helpers/run-fixture.js'
test('dbg', async () => {
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now()
    const run = await runFixture('browser-chromium-pertest', { exclude: ['cost.test.ts', '**/node_modules/**'] })
    const r = JSON.parse(readFileSync('test/fixtures/browser-chromium-pertest/reports/memory.json', 'utf8'))
    console.log('RUN', i, Math.round(performance.now() - t0), run.tests.length, JSON.stringify(r.tests.filter((t: any) => t.changes.length).map((t: any) => [t.name, t.changes])))
  }
}, 600000)
