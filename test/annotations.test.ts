import { existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, test } from 'vitest'
import { runVitestCli } from './helpers/run-cli.js'
import { fixturePath, runFixture } from './helpers/run-fixture.js'

const root = fixturePath('annotations')
const withEnv = async <T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> => {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  try {
    return await run()
  }
  finally {
    process.env = saved
  }
}

/**
 * Whether this Vitest can run its html reporter: it needs @vitest/ui, installed here for Vitest 5
 * only (with `npm i --no-save @vitest/ui@4.1.12` the test runs, and passes, on Vitest 4 too).
 */
const hasUi = (() => {
  try {
    createRequire(import.meta.url).resolve('@vitest/ui/package.json')
    return true
  }
  catch {
    return false
  }
})()

afterEach(() => {
  for (const generated of ['reports', '.vitest']) rmSync(join(root, generated), { recursive: true, force: true })
})

describe('memory figures as Vitest test annotations', () => {
  test('each test shows its figures, and a test over budget its failure with the heap profile attached', async () => {
    const run = await withEnv({ FIXTURE_ANNOTATIONS: 'true' }, () => runFixture('annotations'))
    const within = run.tests.find(t => t.fullName.startsWith('within'))!
    const over = run.tests.find(t => t.fullName.startsWith('over'))!
    // The 5 MB Buffer's contents are malloc'd: native where the C heap is counted (Linux x64), absent elsewhere.
    const native = process.platform === 'linux' && process.arch === 'x64' ? ' · native 5(\\.\\d+)? MB' : ''
    expect(within.annotations).toEqual([{ type: 'memory', message: expect.stringMatching(new RegExp(`^total 5(\\.\\d+)? MB · heap [\\d.]+ kB · external 5(\\.\\d+)? MB · rss [\\d.]+ [kM]?B${native} · retained [\\d.]+ k?B · allocated [\\d.]+ MB · \\d+ GCs?$`)) }])
    expect(over.annotations.map(a => a.type)).toEqual(['memory', 'memory: over budget'])
    expect(over.annotations[1]!.message).toMatch(/^external 20(\.\d+)? MB > 10 MB \(budget "heavy\.test\.ts > over budget\*"\)$/)
    // The profile, copied where Vitest keeps attachments, for the UI's download link.
    const attachment = over.annotations[1]!.attachment!
    expect(attachment.contentType).toBe('application/json')
    expect(attachment.path).toContain(join(root, 'reports/attachments'))
    expect(JSON.parse(readFileSync(attachment.path!, 'utf8')).head.callFrame).toBeDefined()
    // Made in the setup file's hook, no annotation points into a test file: none becomes a GitHub annotation.
    expect([...within.annotations, ...over.annotations].every(a => a.location === undefined)).toBe(true)
  })

  test('by default, a run without the UI or the html reporter annotates nothing', async () => {
    const run = await runFixture('annotations')
    expect(run.tests.flatMap(t => t.annotations)).toEqual([])
  })

  test('on GitHub Actions, annotated tests add no workflow command of their own', () => {
    const run = runVitestCli(root, ['--reporter=default', '--reporter=github-actions'], { GITHUB_ACTIONS: 'true', FIXTURE_ANNOTATIONS: 'true', GITHUB_STEP_SUMMARY: '' })
    expect(run.exitCode).toBe(1)
    // The failing test's error is Vitest's own annotation; nothing of the memory figures' is.
    expect(run.stdout).toMatch(/^::error file=.*heavy\.test\.ts/m)
    // Issue 26, items 9 and 16: the budget failure points at the test's line, in GitHub's annotation
    // and under the terminal's error, and at none of the plugin's frames; one annotation, not two.
    expect(run.stdout).toMatch(/^::error file=[^,\n]*heavy\.test\.ts,title=[^\n]*,line=7,column=1::Error: Memory budget exceeded/m)
    expect(run.stdout.match(/^::error /gm)).toHaveLength(1)
    expect(run.stdout + run.stderr).toContain('❯ heavy.test.ts:7:1')
    expect(run.stdout + run.stderr).not.toMatch(/recording-hooks|test-runner|test-hooks/)
    expect(run.stdout).not.toMatch(/^::notice/m)
    expect(run.stdout).not.toMatch(/^::\w+ [^\n]*title=memory/m)
  })

  test.runIf(hasUi)('with the html reporter, on by default, and in the report it writes', () => {
    expect(runVitestCli(root, ['--reporter=html']).exitCode).toBe(1)
    // Vitest 4 writes its data beside outputFile.html; Vitest 5 under .vitest/, whatever outputFile says.
    const meta = ['reports/html/html.meta.json.gz', '.vitest/ui/html.meta.json.gz'].map(path => join(root, path)).find(existsSync)
    expect(meta).toBeDefined()
    const written = gunzipSync(readFileSync(meta!)).toString('utf8')
    expect(written).toContain('"memory: over budget"')
    expect(written).toMatch(/"external 20(\.\d+)? MB > 10 MB \(budget \\"heavy\.test\.ts > over budget\*\\"\)"/)
    expect(written).toMatch(/"total 5(\.\d+)? MB · heap/)
  })
})
