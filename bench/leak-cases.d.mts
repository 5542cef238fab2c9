export declare const LEAKING: Record<string, () => unknown>
export declare const CLEAN: Record<string, () => unknown>
