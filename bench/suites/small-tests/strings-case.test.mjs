import { describe, expect, test } from 'vitest'
import { camelCase, kebabCase, snakeCase, words } from './src/strings.mjs'

const PHRASES = ['hello world', 'Hello World', 'hello-world', 'hello_world', 'helloWorld', 'HTTP request id', 'user ID', 'a b c', 'version 2 release', 'XMLHttpRequest', 'the quick brown fox', 'some--double--dash']

describe('camelCase', () => {
  test.each(PHRASES)('%s', phrase => expect(camelCase(phrase)).toMatch(/^[a-z0-9][A-Za-z0-9]*$/))
})
describe('kebabCase', () => {
  test.each(PHRASES)('%s', phrase => expect(kebabCase(phrase)).toBe(words(phrase).map(w => w.toLowerCase()).join('-')))
})
describe('snakeCase', () => {
  test.each(PHRASES)('%s', phrase => expect(snakeCase(phrase).split('_')).toHaveLength(words(phrase).length))
})
describe('words', () => {
  test.each(PHRASES)('%s', phrase => expect(words(phrase).join('')).toBe(phrase.replace(/[^A-Za-z0-9]/g, '')))
})
test('round trip through kebab and camel', () => expect(camelCase(kebabCase('makeItWork'))).toBe('makeItWork'))
