// `npm run demo`: builds the package and runs each example project under the plugin, the way a user
// would (the examples import 'vitest-memory-budget' by name, which resolves to the build).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = (args, cwd = root) => spawnSync(process.execPath, args, { cwd, stdio: 'inherit' }).status ?? 1

if (run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']) !== 0)
  process.exit(1)

const examples = readdirSync(new URL('../examples', import.meta.url), { withFileTypes: true })
  .filter(entry => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'github-actions')
  .map(entry => entry.name)
let failed = 0
for (const name of examples) {
  console.log(`\n━━ examples/${name} ━━`)
  if (run([`${root}node_modules/vitest/vitest.mjs`, 'run', '--root', `examples/${name}`]) !== 0)
    failed++
}
process.exit(failed === 0 ? 0 : 1)
