// `vitest-memory-budget/setup`: add it to `setupFiles` for the matchers without the plugin. (The
// plugin registers a setup file of its own that calls the same function; see plugin/setup-entry.ts.)
import { registerTestHooks } from './test-hooks.js'

registerTestHooks()
