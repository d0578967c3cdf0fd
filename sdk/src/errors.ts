/** The one error the client throws or reports: a closed code, the field it is about, and what the server said. */

export type SamtykkeErrorCode =
  /** The options given to createSamtykke are wrong: fix the call. */
  | 'invalid_options'
  /** A decision the server would refuse (choices, action, screen, account). */
  | 'invalid_decision'
  /** An event the server would refuse (name, screen, properties). */
  | 'invalid_event'
  /** No decision grants analytics now (none made, analytics denied, or asked again since): nothing was queued. */
  | 'consent_required'
  /** The offline queue holds as many events as it may; nothing was queued, nothing queued before was dropped. */
  | 'queue_full'
  /** The server refused what was queued (reported to onError): `serverCode`, `status` and `dropped` say what. */
  | 'refused'
  /** The storage adapter failed to read or write. */
  | 'storage'
  /** No crypto.getRandomValues to make a consent ID with. */
  | 'no_random';

export class SamtykkeError extends Error {
  override readonly name = 'SamtykkeError';

  constructor(
    readonly code: SamtykkeErrorCode,
    message: string,
    /** The field of the decision or event the error is about, as the server would name it (`props.plan`, `url`). */
    readonly field?: string,
    /** For `refused`: the server's answer. */
    readonly server?: { readonly status: number; readonly code: string | undefined; readonly dropped: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
