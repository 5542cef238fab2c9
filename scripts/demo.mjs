// `npm run demo`: builds the package and runs each example project under the plugin, the way a user
// would (the examples import 'vitest-memory-budget' by name, which resolves to the build).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BUILD, EXAMPLES, VITEST } from './counted-runs.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = args => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1

if (run([BUILD]) !== 0)
  process.exit(1)

let failed = 0
for (const name of EXAMPLES) {
  console.log(`\n━━ examples/${name} ━━`)
  if (run([VITEST, 'run', '--root', `examples/${name}`]) !== 0)
    failed++
}
console.log(`\nThe HTML report of examples/basic, to open in a browser: ${pathToFileURL(join(root, 'examples/basic/reports/memory.html')).href}`)
process.exit(failed === 0 ? 0 : 1)
