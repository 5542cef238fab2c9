// The setup file memoryBudget() adds to a Chromium browser project: the matchers, measured over CDP.
// It imports no Node module, directly or not: Vite serves it to the page.
import { expect } from 'vitest'
import './types.js'
import { browserProbe, explainLeakInPage } from './browser-probe.js'
import { createToLeak } from './leak-matcher.js'
import { createToStayUnder } from './to-stay-under.js'

function notInBrowserYet(name: string) {
  return () => {
    throw new Error(`${name}() does not run in browser mode yet; in a Chromium project, toStayUnder(), not.toLeak() and measureMemory() do.`)
  }
}

expect.extend({
  toStayUnder: createToStayUnder(browserProbe),
  toAllocateUnder: notInBrowserYet('toAllocateUnder'),
  toLeak: createToLeak(browserProbe, explainLeakInPage),
})
