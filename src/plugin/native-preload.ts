import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { NATIVE_LIBRARY_VARIABLE } from '../measure/native.js'

/**
 * The C heap's interposer (native/native-heap.c): built by `npm run build` into dist/native/ and
 * shipped for Linux x64 with glibc; the repo's own runs build it into native/build/ (vitest.config.ts).
 */
function libraryPath(): string {
  const root = dirname(createRequire(import.meta.url).resolve('vitest-memory-budget/package.json'))
  return join(root, import.meta.url.endsWith('.ts') ? 'native/build' : 'dist/native', 'native-heap.node')
}

/** What a worker needs in its environment to count its C heap, or why it cannot. */
export type NativeSupport = { env: Record<string, string> } | { reason: string }

/** Whether this process's C library is glibc: Node's report names its version only there (musl has none). */
function glibcVersion(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
  return header?.glibcVersionRuntime
}

/**
 * Starts Node once with the library preloaded and asks it whether it counts: the dynamic loader
 * skips a library it cannot load with a line on stderr, and a worker would then read NaN in every
 * test without saying why. About 40 ms, once per run.
 */
function checkPreload(path: string): string | undefined {
  const probe = `const m=require(${JSON.stringify(path)});process.stdout.write(String(m.interposing))`
  const result = spawnSync(process.execPath, ['-e', probe], { env: { ...process.env, LD_PRELOAD: path, [NATIVE_LIBRARY_VARIABLE]: path }, encoding: 'utf8' })
  if (result.stdout === 'true')
    return undefined
  const said = `${result.error?.message ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0]
  return `the library did not load into Node with LD_PRELOAD${said ? ` (${said})` : ''}`
}

/** What decides whether workers can count their C heap: this machine's, or a test's. */
export interface NativeHost {
  platform: string
  arch: string
  /** glibc's version, undefined under another C library. */
  glibc: string | undefined
  library: string
  exists: (path: string) => boolean
  /** Why Node does not load the library with LD_PRELOAD, or undefined where it does. */
  checkPreload: (path: string) => string | undefined
}

/** Whether `host`'s forked workers can count their C heap: the environment they need, or why not. */
export function decideNativeSupport(host: NativeHost): NativeSupport {
  if (host.platform !== 'linux' || host.arch !== 'x64')
    return { reason: `the interposer ships for Linux x64 only, not ${host.platform}-${host.arch}` }
  if (host.glibc === undefined)
    return { reason: 'the interposer needs glibc (this Linux has another C library, such as musl)' }
  const path = host.library
  if (!host.exists(path))
    return { reason: `${path} is missing (built by npm run build)` }
  // LD_PRELOAD separates entries with spaces and colons: no way to name such a path in it.
  if (/[ :]/.test(path))
    return { reason: `its path has a space or colon, which LD_PRELOAD cannot hold: ${path}` }
  const failed = host.checkPreload(path)
  return failed ? { reason: failed } : { env: { [NATIVE_LIBRARY_VARIABLE]: path, LD_PRELOAD: path } }
}

let checked: NativeSupport | undefined

/**
 * Decides, once per process, whether forked workers can count their C heap. Where they cannot,
 * the reason (every test's `native` is then NaN, never 0, and a `native` budget stops the run).
 */
export function nativeSupport(): NativeSupport {
  return (checked ??= decideNativeSupport({ platform: process.platform, arch: process.arch, glibc: glibcVersion(), library: libraryPath(), exists: existsSync, checkPreload }))
}

/**
 * The environment of a project's workers with the library preloaded: before any LD_PRELOAD the
 * project or the process already has, because the first library that defines malloc is the one
 * the process calls; a preloaded allocator after it (jemalloc) is the one the interposer's calls
 * reach (it resolves them with RTLD_NEXT), so what that allocator hands out is counted.
 */
export function withNativePreload(env: Record<string, string | undefined>, support: { env: Record<string, string> }): Record<string, string | undefined> {
  const existing = env.LD_PRELOAD ?? process.env.LD_PRELOAD
  const preload = existing ? `${support.env.LD_PRELOAD}:${existing}` : support.env.LD_PRELOAD
  return { ...env, ...support.env, LD_PRELOAD: preload }
}
