import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Folders no budget is meant for, and too big to walk. */
const SKIPPED = new Set(['node_modules', '.git'])

/**
 * Which of `patterns` match some file under `root` (by its path relative to it, with forward
 * slashes). The walk stops once every pattern has matched.
 */
export function patternsMatchingFiles(root: string, patterns: ReadonlyArray<{ key: string, file: RegExp }>): Set<string> {
  const found = new Set<string>()
  const walk = (directory: string, prefix: string): void => {
    let entries
    try {
      entries = readdirSync(directory, { withFileTypes: true })
    }
    catch {
      return
    }
    for (const entry of entries) {
      if (found.size === patterns.length)
        return
      const path = `${prefix}${entry.name}`
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name))
          walk(join(directory, entry.name), `${path}/`)
      }
      else {
        for (const pattern of patterns) {
          if (!found.has(pattern.key) && pattern.file.test(path))
            found.add(pattern.key)
        }
      }
    }
  }
  if (patterns.length > 0)
    walk(root, '')
  return found
}
