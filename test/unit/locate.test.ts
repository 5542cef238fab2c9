import { describe, expect, test } from 'vitest'
import { createLineFinder } from '../../src/worker/locate.js'

const source = [
  `import { describe, expect, test } from 'vitest'`, // 1
  ``, // 2
  `describe('parser', () => {`, // 3
  `  test('reads rows', () => {})`, // 4
  `  test("it's quoted", () => {})`, // 5
  `  test('say \\'hi\\'', () => {})`, // 6
  `  describe(\`nested\`, () => {`, // 7
  `    it('reads rows', () => {})`, // 8
  `  })`, // 9
  `})`, // 10
  `describe('writer', () => {`, // 11
  `  test('reads rows', () => {})`, // 12
  `  test.each([1, 2])('case %s', () => {})`, // 13
  `  test(\`sum \${a}\`, () => {})`, // 14
  `  test('a \\\\ b', () => {})`, // 15
  `})`, // 16
  `test('top level', () => {})`, // 17
  `test.each([{ n: 1 }])('object $n at 100%%', () => {})`, // 18
  `describe.each([1])('group %i', () => {`, // 19
  `  test.each([0, 1])('case %i', () => {})`, // 20
  `})`, // 21
].join('\n')

describe('createLineFinder', () => {
  const lineOf = createLineFinder(source)

  test('finds each test after the describe blocks it is in, in any kind of quotes', () => {
    expect(lineOf(['parser', 'reads rows'])).toBe(4)
    expect(lineOf(['parser', 'nested', 'reads rows'])).toBe(8)
    expect(lineOf(['writer', 'reads rows'])).toBe(12)
    expect(lineOf(['top level'])).toBe(17)
  })

  test('finds titles with quotes and backslashes written escaped', () => {
    expect(lineOf(['parser', 'it\'s quoted'])).toBe(5)
    expect(lineOf(['parser', 'say \'hi\''])).toBe(6)
    expect(lineOf(['writer', 'a \\ b'])).toBe(15)
  })

  test('finds names built at run time at the first title after the last name whose fixed parts they have', () => {
    expect(lineOf(['writer', 'case 1'])).toBe(13)
    expect(lineOf(['writer', 'sum 3'])).toBe(14)
    expect(lineOf(['object 1 at 100%'])).toBe(18)
    expect(lineOf(['group 1', 'case 10'])).toBe(20)
  })

  test('gives no line for names missing from the source', () => {
    expect(lineOf(['writer', 'cases 1'])).toBeNull()
    expect(lineOf(['object 1 at 100%%'])).toBeNull()
    expect(lineOf(['reader', 'reads rows'])).toBeNull()
    expect(lineOf([])).toBeNull()
    expect(createLineFinder('')(['parser'])).toBeNull()
  })
})
