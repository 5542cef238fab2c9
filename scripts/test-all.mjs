// `npm test`: type-checks, then the suite with Vitest 4 on this Node and with Vitest 5 on Node 24,
// the examples under the built plugin (with their own assertions, as `npm run demo` runs them), then
// the packed package end to end. Extra arguments go to every Vitest run; file filters only to the
// runs that have a matching file (see runCounted).
import { fileURLToPath } from 'node:url'
import { E2E_RUN, EXAMPLES, filesUnder, runCounted, TSC, VITEST } from './counted-runs.mjs'

/** What vitest.config.ts includes: the suite both majors run. */
const suiteFiles = () => filesUnder('test', path => /\.test(-d)?\.ts$/.test(path) && !/^test\/(fixtures|e2e)\//.test(path))

process.exit(runCounted([
  { name: 'Type-check: src, tests, fixtures and examples', check: [TSC, '--noEmit'] },
  { name: 'Type-check: scripts and benchmarks (JavaScript)', check: [TSC, '--noEmit', '-p', 'tsconfig.scripts.json'] },
  { name: `Vitest 4 on Node ${process.versions.node}`, script: VITEST, files: suiteFiles },
  { name: 'Vitest 5 on Node 24', script: fileURLToPath(new URL('./vitest5.mjs', import.meta.url)), files: suiteFiles },
  ...EXAMPLES.map(name => ({ name: `Example: examples/${name}`, script: VITEST, args: ['--root', `examples/${name}`], files: () => filesUnder(`examples/${name}`, path => path.endsWith('.test.ts')), build: true })),
  E2E_RUN,
], process.argv.slice(2)))
