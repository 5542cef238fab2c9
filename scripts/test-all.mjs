// `npm test`: the suite with Vitest 4 on this Node, then with Vitest 5 on Node 24, then the packed
// package end to end. Extra arguments go to every run.
import { fileURLToPath } from 'node:url'
import { E2E_RUN, runCounted, VITEST } from './counted-runs.mjs'

process.exit(runCounted([
  { name: `Vitest 4 on Node ${process.versions.node}`, script: VITEST },
  { name: 'Vitest 5 on Node 24', script: fileURLToPath(new URL('./vitest5.mjs', import.meta.url)) },
  E2E_RUN,
], process.argv.slice(2)))
