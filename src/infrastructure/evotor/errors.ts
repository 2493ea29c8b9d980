/** Failures of the Evotor client; callers branch on the class, never on message text. */
export class EvotorError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when no answer came */
    readonly status: number | null,
    /** `GET /stores/…`, without query */
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 401 (bad or revoked token) or 403 (missing scope): the account needs a new token. */
export class EvotorAuthError extends EvotorError {}

/** 402: the app is not paid or not installed for this store; the store is skipped. */
export class EvotorPaymentRequiredError extends EvotorError {
  constructor(
    message: string,
    request: string,
    readonly storeId: string | null,
  ) {
    super(message, 402, request);
  }
}

export class EvotorNotFoundError extends EvotorError {}

/** 429 that outlasted every retry the client was allowed. */
export class EvotorRateLimitedError extends EvotorError {
  constructor(
    message: string,
    request: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message, 429, request);
  }
}

/** 5xx, timeouts and dropped connections after the retries ran out. */
export class EvotorUnavailableError extends EvotorError {}

/** Any other answer the client cannot use (400, 406, malformed JSON, a paging loop). */
export class EvotorProtocolError extends EvotorError {}
