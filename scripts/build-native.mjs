// Compiles native/native-heap.c (the C heap's interposer, see its header) with the system's gcc.
// `npm run build` puts it in dist/native/, shipped in the package for Linux x64 with glibc; the repo's
// own test runs build it into native/build/ (vitest.config.ts), where the sources look for it.
// `node scripts/build-native.mjs <dir>` builds into <dir>.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const SOURCE = join(root, 'native/native-heap.c')
export const LIBRARY_NAME = 'native-heap.node'

/**
 * Hidden visibility exports only what the file marks (the malloc family and the Node-API entry);
 * -ldl, because glibc before 2.34 has dlsym in libdl (the source binds it to that old version).
 */
const FLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden']

/** Whether this machine builds the one shipped target. */
export function buildsHere() {
  return process.platform === 'linux' && process.arch === 'x64'
}

/** Builds the library into `outDir` unless an up-to-date one is there; returns its path. Throws with gcc's output when it fails. */
export function buildNative(outDir) {
  const output = join(outDir, LIBRARY_NAME)
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(SOURCE).mtimeMs)
    return output
  mkdirSync(outDir, { recursive: true })
  // Written beside, then renamed: a worker starting meanwhile preloads a whole file or none.
  const partial = `${output}.${process.pid}.tmp`
  const built = spawnSync('gcc', [...FLAGS, '-o', partial, SOURCE, '-ldl'], { encoding: 'utf8' })
  if (built.error || built.status !== 0)
    throw new Error(`gcc could not build ${SOURCE}: ${built.error?.message ?? built.stderr}`)
  renameSync(partial, output)
  return output
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  console.log(buildNative(resolve(process.argv[2] ?? join(root, 'native/build'))))
