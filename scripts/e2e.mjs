// `npm run test:e2e`: packs the package and runs it in fresh projects with Vitest 4 on this Node and
// Vitest 5 on Node 24 (test/e2e/pack.e2e.test.ts). Extra arguments go to Vitest.
import { E2E_RUN, runCounted } from './counted-runs.mjs'

process.exit(runCounted([E2E_RUN], process.argv.slice(2)))
