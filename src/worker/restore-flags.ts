/**
 * Node checks the code cache of its built-in modules against a hash of V8's flags: with
 * `--expose-gc`, a semi-space size or `--single-threaded` on the command line, every built-in module
 * a worker loads is compiled from scratch (measured: 3x slower, about 25 ms per test file on Node 20).
 * Worse, that compilation made peaks differ between fresh workers on Node 20 (by up to 1%, where
 * the preload makes them byte-identical). V8 acts on these flags when the process starts (it installs
 * `gc()`, sizes the young generation and turns background threads off then), so setting the hashed
 * ones back to their defaults in a preload keeps their effect and makes the cache valid again.
 * `--single-threaded` also turned off the WebAssembly compiler threads, which are hashed; they are
 * restored too (a measured worker's wasm compiles in the background again: it does not touch the
 * JS heap's timing). `--no-concurrent-recompilation`, the part that matters, is not hashed and stays.
 */
const DEFAULTS = [
  '--no-expose-gc',
  '--min-semi-space-size=0',
  '--max-semi-space-size=0',
  '--no-single-threaded',
  '--wasm-num-compilation-tasks=128',
  '--wasm-async-compilation',
  '--wasm-tier-up',
]

/** A Node option that runs the reset before any other module of the worker loads. */
export const RESTORE_FLAGS_IMPORT = `--import=data:text/javascript,${encodeURIComponent(
  `import v8 from 'node:v8';for (const flag of ${JSON.stringify(DEFAULTS)}) v8.setFlagsFromString(flag)`,
)}`
