/** An AWS service error, rendered in the wire format of the service that raised it. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Query protocol `<Type>`: Sender (client fault) or Receiver (server fault). */
  readonly type: 'Sender' | 'Receiver';
  /** Extra members of the error structure (e.g. Organizations' `Reason`). */
  readonly extra: Record<string, string>;

  constructor(code: string, message: string, status = 400, extra: Record<string, string> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.type = status >= 500 ? 'Receiver' : 'Sender';
    this.extra = extra;
  }
}
