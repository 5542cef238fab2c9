// The setup file memoryBudget() adds to a Chromium browser project: the matchers, measured over CDP,
// and every test recorded as in a Node worker. It imports no Node module, directly or not: Vite
// serves it to the page.
import { inject } from 'vitest'
import './types.js'
import { createBrowserTestMeter } from '../worker/browser-meter.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import { createTestRecorder, relativePath } from '../worker/test-recorder.js'
import { browserProbe, explainLeakInPage, measureAllocationsInTest, testCommand } from './browser-probe.js'
import { installMatchers } from './install.js'
import { createToLeak } from './leak-matcher.js'
import { createToAllocateUnder } from './to-allocate-under.js'
import { registerRecordingHooks } from './recording-hooks.js'
import { createToStayUnder } from './to-stay-under.js'

// A page imports its setup files again for each test file, into the file's own frame: each file
// gets its matchers and its hooks; the GC policy's state is kept per page in the Vitest process.
installMatchers({
  toStayUnder: createToStayUnder(browserProbe),
  toAllocateUnder: createToAllocateUnder(measureAllocationsInTest),
  toLeak: createToLeak(browserProbe, explainLeakInPage),
})

const config = inject(WORKER_CONFIG_KEY)
registerRecordingHooks(config && {
  recorder: createTestRecorder({ root: config.root, budgets: config.budgets, relativeFile: relativePath }, createBrowserTestMeter(testCommand, config)),
})
