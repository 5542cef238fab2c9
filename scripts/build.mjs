// `npm run build`: dist/ as published. tsc writes the declarations, one per source module, so users'
// types are the sources' own; the JavaScript is bundled (see bundle.mjs).
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildNative, buildsHere } from './build-native.mjs'
import { bundle } from './bundle.mjs'
import { TSC } from './counted-runs.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
if (spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0)
  process.exit(1)
await bundle(dist)
// The C heap's interposer, for the one target shipped (Linux x64 with glibc): a package packed on
// another machine has none, and its workers report `native` as unavailable.
if (buildsHere())
  buildNative(join(dist, 'native'))
else
  console.warn(`build: native/native-heap.c not built (${process.platform}-${process.arch}; it ships for linux-x64 only)`)
