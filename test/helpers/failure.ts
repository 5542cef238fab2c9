/** The error an assertion fails with; throws if it passes. */
export async function failureOf(assertion: PromiseLike<void>): Promise<Error> {
  try {
    await assertion
  }
  catch (error) {
    return error as Error
  }
  throw new Error('expected the assertion to fail')
}
