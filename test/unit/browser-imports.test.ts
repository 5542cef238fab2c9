import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const src = fileURLToPath(new URL('../../src/', import.meta.url))

/** What a module loads at run time: `import type` and `export type` vanish, everything else stays. */
function runtimeImports(file: string): string[] {
  const code = readFileSync(file, 'utf8')
  const statements = code.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)
  return [...statements].map(match => match[1]!)
}

/** Every module a browser entry reaches, by relative import, and the bare specifiers they load. */
function reach(entry: string): { modules: string[], bare: Set<string> } {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file))
      return
    seen.add(file)
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.'))
        visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')))
      else
        bare.add(`${specifier} (from ${relative(src, file)})`)
    }
  }
  visit(join(src, entry))
  return { modules: [...seen].map(file => relative(src, file)), bare }
}

// Vite serves these to the page: a `node:` module anywhere below them makes the test file fail
// before any test runs ("has been externalized for browser compatibility").
test.each(['matchers/browser-setup.ts', 'browser.ts'])('%s loads no Node module in the browser', (entry) => {
  const { modules, bare } = reach(entry)
  // The shared core, not a copy of it.
  expect(modules).toContain('measure/measure.ts')
  expect([...bare].map(b => b.split(' ')[0])).toEqual(expect.arrayContaining(['vitest/browser']))
  expect([...bare].filter(specifier => !/^vitest(\/browser)? /.test(specifier))).toEqual([])
})
