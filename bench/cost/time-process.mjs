// Wall and CPU time of a command and every process it starts.
//
// CPU time comes from bash's `time` keyword, which reads getrusage(RUSAGE_CHILDREN) once the command
// exits: the user + system time of the command and of every descendant that was waited for. Vitest
// waits for each worker it forks (and worker threads are inside its own process), so the whole tree
// is counted; `process.cpuUsage()` in a wrapper would see only the wrapper. `/usr/bin/time` reads the
// same counters but is not installed everywhere; bash is.
import { spawnSync } from 'node:child_process'

const MARK = '__bench_time'
const TIMEFORMAT = `${MARK} %3R %3U %3S`

/**
 * Runs `command args` in `cwd`; returns wall and CPU seconds and the output, or throws with the output if it failed.
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
export function timeProcess(command, args, options = {}) {
  const { cwd, env = process.env } = options
  const result = spawnSync('bash', ['-c', 'TIMEFORMAT="$0"; time "$@"', TIMEFORMAT, command, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...env, NO_COLOR: '1' },
    maxBuffer: 64 * 2 ** 20,
  })
  const times = result.stderr.match(new RegExp(`${MARK} ([\\d.]+) ([\\d.]+) ([\\d.]+)\\s*$`))
  if (result.status !== 0 || !times)
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}) in ${cwd}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`)
  return { wall: Number(times[1]), cpu: Number(times[2]) + Number(times[3]), stdout: result.stdout, stderr: result.stderr }
}
