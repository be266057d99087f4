/** The configuration's one error type, shared by lib/config.ts and lib/schedule.ts. */
export class TrailcheckConfigError extends Error {
  override readonly name = 'TrailcheckConfigError';
}

/** `<key>: expected <expected>, got <value as JSON>`. */
export function fail(key: string, expected: string, got: unknown): never {
  throw new TrailcheckConfigError(`${key}: expected ${expected}, got ${JSON.stringify(got)}`);
}
