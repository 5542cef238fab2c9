/**
 * Node checks the code cache of its built-in modules against V8's flags: with `--expose-gc` or a
 * semi-space size on the command line, every built-in module a worker loads is compiled from
 * scratch (measured: 3x slower, about 20 ms per test file on Node 20). V8 acts on these flags when
 * the process starts (it installs `gc()` and sizes the young generation then), so setting them back
 * to their defaults in a preload keeps their effect and makes the cache valid again.
 */
const DEFAULTS = ['--no-expose-gc', '--min-semi-space-size=0', '--max-semi-space-size=0']

/** A Node option that runs the reset before any other module of the worker loads. */
export const RESTORE_FLAGS_IMPORT = `--import=data:text/javascript,${encodeURIComponent(
  `import v8 from 'node:v8';for (const flag of ${JSON.stringify(DEFAULTS)}) v8.setFlagsFromString(flag)`,
)}`
