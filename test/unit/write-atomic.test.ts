import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { writeFileAtomic } from '../../src/report/write-atomic.js'

/** Two reports of a few MB, so that a kill often lands mid-write. */
const VERSIONS = ['a', 'b'].map(mark => `${JSON.stringify({ mark, tests: Array.from({ length: 40_000 }, (_, i) => ({ id: `${mark}${i}`, total: i })) })}\n`)

/**
 * A process that rewrites one file with writeFileAtomic as fast as it can, alternating two versions.
 * Node 20 runs no TypeScript, so the module (it imports only node: modules) is transpiled as is.
 */
function startWriter(dir: string, target: string) {
  const source = readFileSync(new URL('../../src/report/write-atomic.ts', import.meta.url), 'utf8')
  const module = join(dir, 'write-atomic.mjs')
  writeFileSync(module, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText)
  writeFileSync(join(dir, 'versions.json'), JSON.stringify(VERSIONS))
  const script = `import { readFileSync } from 'node:fs'
import { writeFileAtomic } from ${JSON.stringify(module)}
const versions = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'versions.json'))}, 'utf8'))
for (let i = 0; ; i++) { writeFileAtomic(${JSON.stringify(target)}, versions[i % 2]); if (i === 0) process.stdout.write('ready') }`
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
}

describe('writeFileAtomic', () => {
  test('creates missing folders, replaces the old content, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'))
    const file = join(dir, 'reports/nested/memory.json')
    writeFileAtomic(file, 'first\n')
    writeFileAtomic(file, 'second\n')
    expect(readFileSync(file, 'utf8')).toBe('second\n')
    expect(readdirSync(join(dir, 'reports/nested'))).toEqual(['memory.json'])
  })

  test('replaces the file instead of rewriting it: a reader holding the old one still reads it whole', () => {
    // What makes it atomic: a new file renamed over the old. Writing in place (truncate, then write)
    // would show this reader an empty file, then the new text, through the same descriptor.
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'))
    const file = join(dir, 'memory.json')
    writeFileAtomic(file, 'old content\n')
    const before = statSync(file).ino
    const reader = openSync(file, 'r')
    try {
      writeFileAtomic(file, 'new\n')
      expect(readFileSync(reader, 'utf8')).toBe('old content\n')
    }
    finally {
      closeSync(reader)
    }
    expect(statSync(file).ino).not.toBe(before)
    expect(readFileSync(file, 'utf8')).toBe('new\n')
  })

  test('when the rename fails, the old file is untouched and the temporary file is removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'))
    // A folder where the file should go: the rename cannot replace it.
    mkdirSync(join(dir, 'memory.json'))
    writeFileSync(join(dir, 'memory.json', 'keep'), 'kept')
    // The text was written in full; it is the rename that failed.
    expect(() => writeFileAtomic(join(dir, 'memory.json'), 'new')).toThrow(expect.objectContaining({ syscall: 'rename' }))
    expect(readdirSync(dir)).toEqual(['memory.json'])
    expect(readFileSync(join(dir, 'memory.json', 'keep'), 'utf8')).toBe('kept')
  })

  test('a writer killed at any moment leaves the old file or the new one, never half of one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-kill-'))
    const target = join(dir, 'reports/memory.json')
    // A fixed sequence of delays, so that a failure can be replayed.
    let seed = 7
    const nextDelay = () => (seed = (seed * 48271) % 2147483647) % 40
    for (let kill = 0; kill < 12; kill++) {
      const writer = startWriter(dir, target)
      await new Promise(resolve => writer.stdout.once('data', resolve))
      await new Promise(resolve => setTimeout(resolve, nextDelay()))
      writer.kill('SIGKILL')
      await new Promise(resolve => writer.once('exit', resolve))
      expect(VERSIONS, `after kill ${kill + 1}`).toContain(readFileSync(target, 'utf8'))
    }
  })
})

