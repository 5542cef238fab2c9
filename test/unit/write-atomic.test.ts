import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { writeFileAtomic } from '../../src/report/write-atomic.js'

describe('writeFileAtomic', () => {
  test('creates missing folders, replaces the old content, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'))
    const file = join(dir, 'reports/nested/memory.json')
    writeFileAtomic(file, 'first\n')
    writeFileAtomic(file, 'second\n')
    expect(readFileSync(file, 'utf8')).toBe('second\n')
    expect(readdirSync(join(dir, 'reports/nested'))).toEqual(['memory.json'])
  })

  test('when the rename fails, the old file is untouched and the temporary file is removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'))
    // A folder where the file should go: the rename cannot replace it.
    mkdirSync(join(dir, 'memory.json'))
    writeFileSync(join(dir, 'memory.json', 'keep'), 'kept')
    expect(() => writeFileAtomic(join(dir, 'memory.json'), 'new')).toThrow()
    expect(readdirSync(dir)).toEqual(['memory.json'])
    expect(readFileSync(join(dir, 'memory.json', 'keep'), 'utf8')).toBe('kept')
  })
})
