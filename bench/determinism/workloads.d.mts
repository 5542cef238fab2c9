export declare const WORKLOADS: Record<string, () => unknown>
export declare function gcHeavy(rounds?: number): number
