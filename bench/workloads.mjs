// Everyday workloads measured by the benchmark, each in a fresh process: `node bench/workloads.mjs
// <name>` prints the measurement as JSON. Imports the built package (dist/).
import { measureMemory } from '../dist/index.js'

export const WORKLOADS = {
  'map-strings': () => { const m = new Map(); for (let i = 0; i < 300_000; i++) m.set(`key-${i}`, i); return m.size },
  'small-objects': () => { const a = []; for (let i = 0; i < 1_000_000; i++) a.push({ i }); return a.length },
  'class-instances': () => { class P { constructor(x, y) { this.x = x; this.y = y } } const a = []; for (let i = 0; i < 500_000; i++) a.push(new P(i, i + 1)); return a.length },
  'closures': () => { const a = []; for (let i = 0; i < 200_000; i++) a.push(() => i); return a.length },
  'string-building': () => { let s = ''; for (let i = 0; i < 200_000; i++) s += `line ${i}\n`; return s.length },
  'promises': async () => { await Promise.all(Array.from({ length: 20_000 }, (_, i) => Promise.resolve(i))) },
  'json-round-trip': () => { const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b'] })); return JSON.parse(JSON.stringify(rows)).length },
  'typed-arrays': () => { let s = 0; for (let i = 0; i < 200; i++) { const a = new Float64Array(10_000); a[1] = i; s += a[1] } return s },
  'sets': () => { const s = new Set(); for (let i = 0; i < 300_000; i++) s.add(i * 7); return s.size },
  'regex-parsing': () => { const text = Array.from({ length: 20_000 }, (_, i) => `id=${i}; name=item${i}; price=${i * 3}.99`).join('\n'); const out = []; for (const m of text.matchAll(/id=(\d+); name=(\w+); price=([\d.]+)/g)) out.push({ id: +m[1], name: m[2], price: +m[3] }); return out.length },
  'async-iteration': async () => { async function* gen() { for (let i = 0; i < 20_000; i++) yield { i } } let n = 0; for await (const x of gen()) n += x.i; return n },
  'class-hierarchy': () => { class A { constructor(i) { this.a = i } } class B extends A { constructor(i) { super(i); this.b = [i] } } class C extends B { constructor(i) { super(i); this.c = `c${i}` } } const a = []; for (let i = 0; i < 100_000; i++) a.push(new C(i)); return a.length },
  'array-sorting': () => { const a = Array.from({ length: 300_000 }, (_, i) => ({ k: (i * 2654435761) % 1000003 })); a.sort((x, y) => x.k - y.k); return a.length },
  'drop-64mib-x20': () => { for (let i = 0; i < 20; i++) new Uint8Array(64 * 2 ** 20) },
  'no-op': () => {},
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const measurement = await measureMemory(WORKLOADS[process.argv[2]])
  process.stdout.write(JSON.stringify({ total: measurement.total, heap: measurement.heap, gcCount: measurement.gcCount }))
}
