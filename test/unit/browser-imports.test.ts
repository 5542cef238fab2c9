import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const src = join(root, 'src')

/** What a module loads at run time: `import type` and `export type` vanish, everything else stays. */
function runtimeImports(file: string): string[] {
  const code = readFileSync(file, 'utf8')
  const statements = code.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)
  const dynamic = code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)
  return [...statements, ...dynamic].map(match => match[1]!)
}

/**
 * Every module an entry reaches by relative import, and the bare specifiers they load. `file` maps
 * a relative specifier to its module: a source's `.js` names its `.ts`, a built one is itself.
 */
function reach(base: string, entry: string, file: (specifier: string) => string): { modules: string[], bare: string[] } {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path))
      return
    seen.add(path)
    for (const specifier of runtimeImports(path)) {
      if (specifier.startsWith('.'))
        visit(join(dirname(path), file(specifier)))
      else
        bare.add(specifier)
    }
  }
  visit(join(base, entry))
  return { modules: [...seen].map(path => relative(base, path).split('\\').join('/')), bare: [...bare] }
}

/** The page reaches Vitest's browser side and nothing else outside the package. */
function expectOnlyVitest(bare: string[]): void {
  expect(bare).toContain('vitest/browser')
  expect(bare.filter(name => name !== 'vitest' && name !== 'vitest/browser')).toEqual([])
}

// Vite serves these to the page: a `node:` module anywhere below them makes the test file fail
// before any test runs ("has been externalized for browser compatibility").
test.each(['matchers/browser-setup.ts', 'browser.ts'])('%s loads no Node module in the browser', (entry) => {
  const { modules, bare } = reach(src, entry, specifier => specifier.replace(/\.js$/, '.ts'))
  // The shared core, not a copy of it.
  expect(modules).toContain('measure/measure.ts')
  expectOnlyVitest(bare)
})

// The published files, as bundled: a module the page shared a chunk with Node's code would bring
// that chunk's `node:` imports along.
describe('the bundled page files', () => {
  const dist = join(mkdtempSync(join(tmpdir(), 'vitest-memory-budget-page-')), 'dist')

  beforeAll(() => {
    const bundled = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs'), dist], { encoding: 'utf8' })
    if (bundled.status !== 0)
      throw new Error(`bundling failed:\n${bundled.stderr}`)
  })

  afterAll(() => rmSync(dirname(dist), { recursive: true, force: true }))

  test.each(['matchers/browser-setup.js', 'browser.js'])('%s loads no Node module and none of Node\'s chunks', (entry) => {
    const { modules, bare } = reach(dist, entry, specifier => specifier)
    expect(modules.filter(module => module !== entry)).toEqual(['chunks/page/shared.js'])
    expectOnlyVitest(bare)
  })

  test('the page\'s chunk has the core the Node entries also bundle, and no import of Node\'s', () => {
    const code = readFileSync(join(dist, 'chunks/page/shared.js'), 'utf8')
    expect(code).toContain('function measureWith(')
    expect(code).not.toMatch(/["']node:/)
    expect(readdirSync(join(dist, 'chunks/page'))).toEqual(['shared.js'])
  })
})
