export declare const LEAKS: Record<string, () => () => unknown>
export declare const NON_LEAKS: Record<string, () => () => unknown>
