// The JavaScript of dist/, bundled by rolldown from the sources (`npm run build` adds tsc's
// declarations). Node's ES module loader costs a fresh test worker about half a millisecond per
// file, and the setup module alone imported 24 (issue 10 holds a worker's import of the package to
// 5 ms). The entries keep the paths that `exports` and `bin` name, plus matchers/test-runner, the runner
// the plugin gives Node projects, matchers/test-hooks, which the plugin's per-file setup entry imports
// where a project has a runner of its own (plugin/setup-entry.ts says why), and
// matchers/browser-setup, a Chromium project's setup file. The modules a test worker runs that the
// other entries also use are one chunk, so the setup file and the main entry share one instance of
// each (one measurement queue, one RSS watch list) and a worker loads two files of ours natively.
// What only some tests use (allocation sites, the leak explanation) stays behind the dynamic
// imports the sources write, in chunks of its own.
//
// What a Chromium page loads (the `browser` entry and the browser setup file, which Vite serves to
// the page) is a build of its own: in a chunk shared with Node's entries, a module would bring the
// chunk's `node:` imports into the page, where they fail. The two runtimes never share state, so
// each holding its own copy of the core costs bytes only.
//
// `node scripts/bundle.mjs <dir>` bundles into <dir>.
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The modules a test worker loads: the measuring core, budgets, matchers and the worker's hooks. */
const WORKER_MODULES = /[\\/]src[\\/](?:measure|budgets|matchers|worker)[\\/]/

/**
 * The comparison of two heap snapshots, which a worker's leak explanation and the plugin's browser
 * commands share: a chunk of its own, or the worker's chunk would bring its `node:os` and memlab's
 * loader into every worker.
 */
const SNAPSHOT_MODULES = /[\\/]src[\\/](?:matchers[\\/]leak-snapshots|measure[\\/]heap-snapshot|measure[\\/]retainers)\.ts$/

/** One rolldown build into `outDir`, its shared modules in the chunks `groups` name. */
function buildInto(outDir, { input, platform, chunkFileNames, groups }) {
  return build({
    cwd: root,
    input,
    platform,
    // Dependencies and Node's built-ins stay imports: installed once, shared with the user's own.
    external: id => !id.startsWith('.') && !isAbsolute(id),
    logLevel: 'warn',
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames, codeSplitting: { groups } },
  })
}

/** Writes the bundled entries and chunks into `outDir`. */
export async function bundle(outDir) {
  await buildInto(outDir, {
    input: { 'index': 'src/index.ts', 'matchers/setup': 'src/matchers/setup.ts', 'matchers/test-hooks': 'src/matchers/test-hooks.ts', 'matchers/test-runner': 'src/matchers/test-runner.ts', 'cli/main': 'src/cli/main.ts' },
    platform: 'node',
    chunkFileNames: 'chunks/[name].js',
    // Of two groups that match a module, the first wins.
    groups: [{ name: 'leak-snapshots', test: SNAPSHOT_MODULES, minShareCount: 2 }, { name: 'worker', test: WORKER_MODULES, minShareCount: 2 }],
  })
  // The page's two entries share one chunk: one probe, one measurement queue per page.
  await buildInto(outDir, {
    input: { 'browser': 'src/browser.ts', 'matchers/browser-setup': 'src/matchers/browser-setup.ts' },
    platform: 'browser',
    chunkFileNames: 'chunks/page/[name].js',
    groups: [{ name: 'shared', test: /[\\/]src[\\/]/, minShareCount: 2 }],
  })
}

if (import.meta.url === `file://${process.argv[1]}`)
  await bundle(resolve(process.argv[2] ?? join(root, 'dist')))
