import type { SizeInput } from '../measure/size.js'
import type { AllocateUnderOptions } from './to-allocate-under.js'
import type { LeakOptions } from './to-leak.js'
import type { StayUnderOptions } from './to-stay-under.js'

// Only the parameterless `Matchers` augmentation compiles against both Vitest 4 and 5.
declare module 'vitest' {
  interface Matchers {
    /**
     * Runs the function once and fails when the peak of the chosen metric (default `total`: V8 heap
     * plus external memory) exceeds the budget. Async: always `await` it.
     * @example await expect(() => parse(bigFile)).toStayUnder('300MB')
     */
    toStayUnder: (budget: SizeInput, options?: StayUnderOptions) => Promise<void>
    /**
     * Calls the function many times after a warm-up and fails when it allocates more than the budget
     * per call on average (heap + external, freed or not). Async: always `await` it.
     * @example await expect(() => encode(point)).toAllocateUnder('64B')
     */
    toAllocateUnder: (budget: SizeInput, options?: AllocateUnderOptions) => Promise<void>
    /**
     * Calls the function in batches with full GCs between them; passes when what stays reachable
     * grows by more than the threshold per call. Use it negated, and always `await` it.
     * @example await expect(() => handle(request)).not.toLeak()
     */
    toLeak: (options?: LeakOptions) => Promise<void>
  }
}
