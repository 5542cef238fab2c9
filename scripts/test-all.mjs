// `npm test`: the suite with Vitest 4 on this Node, then with Vitest 5 on Node 24. Both run even if
// the first fails; the exit code is non-zero if either did. Extra arguments go to both runs.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const runs = [
  { name: `Vitest 4 on Node ${process.versions.node}`, command: [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', ...args] },
  { name: 'Vitest 5 on Node 24', command: [fileURLToPath(new URL('./vitest5.mjs', import.meta.url)), 'run', ...args] },
]

const results = runs.map(({ name, command }) => {
  console.log(`\n▶ ${name}\n`)
  const started = Date.now()
  const { status } = spawnSync(process.execPath, command, { cwd: root, stdio: 'inherit' })
  return { name, passed: status === 0, seconds: (Date.now() - started) / 1000 }
})

console.log('')
for (const { name, passed, seconds } of results)
  console.log(`${passed ? '✓' : '✗'} ${name}: ${passed ? 'passed' : 'failed'} in ${seconds.toFixed(0)} s`)
process.exit(results.every(result => result.passed) ? 0 : 1)
