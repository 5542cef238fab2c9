import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A position in the file the user wrote: path, 1-based line, 0-based column. */
export interface SourcePosition {
  path: string
  line: number
  column: number
}

/** Maps a 0-based position in code as V8 ran it to the source file's; undefined where no map is known. */
export type LocateSource = (path: string, line: number, column: number) => SourcePosition | undefined

interface EvaluatedModules {
  getModuleSourceMapById?: (id: string) => { map?: SourceMapPayload } | null
}

/**
 * The source map of a module Vitest's module runner evaluated (Vitest 4 and 5 keep them in the
 * worker state, inlined in the transformed code; V8 sees that code, whose lines are shifted by the
 * imports it rewrote), or of a file Node loaded with source maps enabled.
 */
function sourceMapOf(path: string): SourceMap | undefined {
  const modules = (globalThis as { __vitest_worker__?: { evaluatedModules?: EvaluatedModules } }).__vitest_worker__?.evaluatedModules
  try {
    const payload = modules?.getModuleSourceMapById?.(path)?.map
    if (payload)
      return new SourceMap(payload)
  }
  catch {
    // A map this cannot read leaves the position as V8 gave it.
  }
  return findSourceMap(path)
}

/** A source locator for one reading of a profile: each file's map is parsed once. */
export function sourceLocator(): LocateSource {
  const maps = new Map<string, SourceMap | undefined>()
  return (path, line, column) => {
    if (!maps.has(path))
      maps.set(path, sourceMapOf(path))
    const entry = maps.get(path)?.findEntry(line, column)
    if (!entry || !('originalLine' in entry))
      return undefined
    const source = entry.originalSource
    const file = source.startsWith('file://') ? fileURLToPath(source) : isAbsolute(source) ? source : resolve(dirname(path), source)
    return { path: file, line: entry.originalLine + 1, column: entry.originalColumn }
  }
}
