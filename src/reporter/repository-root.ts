import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The root of the git repository holding `from` (the nearest folder with a `.git`, a folder or, in a
 * worktree or submodule, a file), or the current directory when none does: GitHub places an
 * annotation by its path from there, wherever in the repository Vitest ran.
 */
export function repositoryRoot(from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git')))
      return folder
    if (dirname(folder) === folder)
      return process.cwd()
  }
}
