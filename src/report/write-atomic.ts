import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a file so that readers, and a crash at any moment, see either the old content or the new,
 * never half of it: the text goes to a temporary file beside it, which is then renamed over it.
 */
export function writeFileAtomic(path: string, content: string): void {
  const directory = dirname(path)
  mkdirSync(directory, { recursive: true })
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  try {
    writeFileSync(temporary, content, { flush: true })
    renameSync(temporary, path)
  }
  catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}
