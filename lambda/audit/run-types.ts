/** What the audit steps share: the logger, progress, and the error a run cannot go on from. */

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Progress {
  listed: number;
  done: number;
  listingComplete: boolean;
}

/** A fatal problem before any account could be audited (credentials, OU filter). */
export class RunError extends Error {
  override readonly name = 'RunError';
}
