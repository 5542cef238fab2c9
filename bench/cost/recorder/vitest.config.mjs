// The recorder bench's worker: a forked Vitest worker with the plugin's own worker flags (passed by
// bench/cost/recorder.mjs), without the plugin, whose one test drives the recorder directly.
export default {
  test: {
    pool: 'forks',
    include: ['recorder.test.ts'],
    execArgv: JSON.parse(process.env.BENCH_EXEC_ARGV ?? '[]'),
    testTimeout: 600_000,
  },
}
