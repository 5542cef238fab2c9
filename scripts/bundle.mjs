// The JavaScript of dist/, bundled by rolldown from the sources (`npm run build` adds tsc's
// declarations). Node's ES module loader costs a fresh test worker about half a millisecond per
// file, and the setup module alone imported 24 (issue 10 holds a worker's import of the package to
// 5 ms). The entries keep the paths that `exports` and `bin` name, plus matchers/test-hooks, which
// the plugin's per-file setup entry imports (plugin/setup-entry.ts says why). The modules a test
// worker runs that the other entries also use are one chunk, so the setup file and the main entry
// share one instance of each (one measurement queue, one RSS watch list) and a worker loads two
// files of ours natively. What only some tests use (allocation sites, the leak explanation) stays behind the dynamic
// imports the sources write, in chunks of its own. `node scripts/bundle.mjs <dir>` bundles into <dir>.
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The modules a test worker loads: the measuring core, budgets, matchers and the worker's hooks. */
const WORKER_MODULES = /[\\/]src[\\/](?:measure|budgets|matchers|worker)[\\/]/

/** Writes the bundled entries and chunks into `outDir`. */
export async function bundle(outDir) {
  await build({
    cwd: root,
    input: { 'index': 'src/index.ts', 'matchers/setup': 'src/matchers/setup.ts', 'matchers/test-hooks': 'src/matchers/test-hooks.ts', 'cli/main': 'src/cli/main.ts' },
    platform: 'node',
    // Dependencies and Node's built-ins stay imports: installed once, shared with the user's own.
    external: id => !id.startsWith('.') && !isAbsolute(id),
    logLevel: 'warn',
    output: {
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name].js',
      codeSplitting: { groups: [{ name: 'worker', test: WORKER_MODULES, minShareCount: 2 }] },
    },
  })
}

if (import.meta.url === `file://${process.argv[1]}`)
  await bundle(resolve(process.argv[2] ?? join(root, 'dist')))
