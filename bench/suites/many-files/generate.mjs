// Writes suite B into a directory: FILES copies of template.test.mjs (13 tests each) under tests/, and
// the library they test (suite A's src/). Generated at bench time so the repository holds one template,
// not 154 near-identical files.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FILES = 154
export const TESTS_PER_FILE = 13

const here = fileURLToPath(new URL('.', import.meta.url))

export function generateManyFiles(dir, files = FILES) {
  const template = readFileSync(join(here, 'template.test.mjs'), 'utf8').split('\n').slice(1).join('\n')
  mkdirSync(join(dir, 'tests'), { recursive: true })
  cpSync(join(here, '../small-tests/src'), join(dir, 'src'), { recursive: true })
  for (let n = 1; n <= files; n++)
    writeFileSync(join(dir, 'tests', `module-${String(n).padStart(3, '0')}.test.mjs`), template.replaceAll('__N__', String(n)))
}

if (import.meta.url === `file://${process.argv[1]}`)
  generateManyFiles(process.argv[2] ?? join(here, '../../.work/many-files'))
