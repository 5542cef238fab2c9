// Everyday code whose memory a test might measure, each 5 to 60 MB at its peak. The determinism bench
// and test/determinism.test.ts run these in fresh Vitest workers and require the same figures every
// time. Plain ESM without imports, so a fixture anywhere (Vitest 4 or 5, source or built package) can
// load it.

const MiB = 2 ** 20

export const WORKLOADS = {
  'map-strings': () => {
    const map = new Map()
    for (let i = 0; i < 300_000; i++) map.set(`key-${i}`, i)
    return map.size
  },
  'small-objects': () => {
    const objects = []
    for (let i = 0; i < 1_000_000; i++) objects.push({ i })
    return objects.length
  },
  'class-instances': () => {
    class Point {
      constructor(x, y) {
        this.x = x
        this.y = y
      }
    }
    const points = []
    for (let i = 0; i < 500_000; i++) points.push(new Point(i, i + 1))
    return points.length
  },
  'closures': () => {
    const closures = []
    for (let i = 0; i < 200_000; i++) closures.push(() => i)
    return closures.length
  },
  'string-building': () => {
    let text = ''
    for (let i = 0; i < 200_000; i++) text += `line ${i}\n`
    return text.length
  },
  'promises': async () => {
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => Promise.resolve(i)))
  },
  'json-round-trip': () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b'] }))
    return JSON.parse(JSON.stringify(rows)).length
  },
  'typed-arrays': () => {
    let sum = 0
    for (let i = 0; i < 200; i++) {
      const array = new Float64Array(10_000)
      array[1] = i
      sum += array[1]
    }
    return sum
  },
  'sets': () => {
    const set = new Set()
    for (let i = 0; i < 300_000; i++) set.add(i * 7)
    return set.size
  },
  'regex-parsing': () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `id=${i}; name=item${i}; price=${i * 3}.99`).join('\n')
    const records = []
    for (const match of text.matchAll(/id=(\d+); name=(\w+); price=([\d.]+)/g))
      records.push({ id: +match[1], name: match[2], price: +match[3] })
    return records.length
  },
  'async-iteration': async () => {
    async function* generate() {
      for (let i = 0; i < 20_000; i++) yield { i }
    }
    let sum = 0
    for await (const item of generate()) sum += item.i
    return sum
  },
  'class-hierarchy': () => {
    class A {
      constructor(i) {
        this.a = i
      }
    }
    class B extends A {
      constructor(i) {
        super(i)
        this.b = [i]
      }
    }
    class C extends B {
      constructor(i) {
        super(i)
        this.c = `c${i}`
      }
    }
    const instances = []
    for (let i = 0; i < 100_000; i++) instances.push(new C(i))
    return instances.length
  },
  'array-sorting': () => {
    const items = Array.from({ length: 300_000 }, (_, i) => ({ k: (i * 2654435761) % 1000003 }))
    items.sort((x, y) => x.k - y.k)
    return items.length
  },
  'drop-64mib-x20': () => {
    for (let i = 0; i < 20; i++) new Uint8Array(64 * MiB)
  },
}

/**
 * Not part of the determinism set: what the deterministic flags cost. Many short-lived objects and a
 * ring of medium-lived ones that survive a few young collections and get promoted, so both young and
 * old generation GCs run; a fixed amount of work (about 2 s here), so wall times compare.
 */
export function gcHeavy(rounds = 450) {
  const ring = Array.from({ length: 50_000 })
  let checksum = 0
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 50_000; i++) {
      const short = { round, i, label: `item ${i}`, values: [i, i + 1, i + 2] }
      checksum += short.values.length
      if (i % 4 === 0)
        ring[(round * 12_500 + i / 4) % ring.length] = { round, payload: new Array(8).fill(i) }
    }
  }
  return checksum + ring.length
}
