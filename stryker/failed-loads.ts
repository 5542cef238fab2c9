import type { RunnerTestFile } from 'vitest'
import type { Reporter, Vitest } from 'vitest/node'

/**
 * A mutant that makes a test file fail as it loads (a throw at import or in a `describe` body, where
 * this suite builds its fixtures) leaves that file with no test to fail, and Stryker's Vitest runner
 * 9.6 reads only tests: it scores such a mutant Survived (stryker-js#6150), though `vitest run`
 * fails on it. This reporter gives each failed file whose tests did not fail one failed test,
 * carrying the file's error, which the runner reads as the mutant killed.
 */
export function failedLoadsAsTests(): Reporter {
  let vitest: Vitest | undefined
  return {
    onInit(ctx) {
      vitest = ctx
    },
    onTestRunEnd() {
      for (const file of vitest?.state.getFiles() ?? []) {
        if (file.result?.state === 'fail' && !hasFailedTest(file)) {
          file.tasks.push({
            type: 'test',
            id: `${file.id}_loads`,
            name: 'the test file loads',
            mode: 'run',
            file,
            suite: file,
            meta: {},
            annotations: [],
            artifacts: [],
            result: { state: 'fail', errors: file.result.errors ?? [] },
          } as never)
        }
      }
    },
  }
}

function hasFailedTest(suite: { tasks: RunnerTestFile['tasks'] }): boolean {
  return suite.tasks.some(task => task.type === 'suite' ? hasFailedTest(task) : task.result?.state === 'fail')
}
