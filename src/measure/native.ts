/**
 * How `native` (the C heap: malloc and its family, C++ `new`) was measured: `interposer` counts every
 * call in a library preloaded into the worker (exact peaks); `none`: not measured here, and `native`
 * is NaN, never 0.
 */
export type NativeMethod = 'interposer' | 'none'
