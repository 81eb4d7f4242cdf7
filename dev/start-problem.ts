/** A problem `npm start` stops for that the user fixes: printed as it is, no stack trace. */
export class StartProblem extends Error {
  override readonly name = 'StartProblem';
}
