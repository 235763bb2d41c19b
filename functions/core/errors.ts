/**
 * Every failure the service reports is one of these classes. The class fixes the HTTP status, the
 * OAuth-style error code and whether a retry can help, so mapping to a response or to "throw for a
 * Lambda retry" is one lookup, not scattered `if`s. Messages never carry secret material.
 */
export abstract class DcrError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly retryable: boolean;

  /** Stated by each class, not read from the constructor: minified bundles rename classes. */
  abstract override readonly name: string;
}

/** The caller sent something we cannot act on: bad JSON, a schema violation, an unknown target. */
export class InvalidRequestError extends DcrError {
  override readonly name: string = 'InvalidRequestError';
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly retryable = false;
}

/** The identity provider refused the client metadata; `code` is the provider's own error code. */
export class InvalidClientMetadataError extends DcrError {
  override readonly name: string = 'InvalidClientMetadataError';
  readonly status = 400;
  readonly retryable = false;

  constructor(
    readonly code: 'invalid_client_metadata' | 'invalid_redirect_uri' | 'invalid_software_statement' | 'unapproved_software_statement',
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DcrError {
  override readonly name: string = 'NotFoundError';
  readonly code = 'not_found';
  readonly status = 404;
  readonly retryable = false;
}

/** The identity provider cannot do what was asked (e.g. no RFC 7592 support): nothing was changed. */
export class NotSupportedError extends DcrError {
  override readonly name: string = 'NotSupportedError';
  readonly code = 'not_supported';
  readonly status = 409;
  readonly retryable = false;
}

/** A terminal failure at the identity provider, e.g. the initial access token was rejected. */
export class UpstreamError extends DcrError {
  override readonly name: string = 'UpstreamError';
  readonly code = 'upstream_error';
  readonly status = 502;
  readonly retryable = false;

  constructor(
    message: string,
    readonly upstreamStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The initial access token was refused (401/403, or `invalid_token` / `access_denied` at any 4xx): the
 * caller may re-read it once and retry. Terminal for a caller (HTTP 502, CLI exit 4), but an event is
 * redelivered (see isRetryable): an operator's new token then gets it through, or it reaches the DLQ.
 */
export class InitialAccessTokenRejectedError extends UpstreamError {
  override readonly name: string = 'InitialAccessTokenRejectedError';
}

/**
 * An RFC 7592 call (read, update, delete) was refused with 401/403: the registration access token is
 * invalid, or (RFC 7592 §2, OpenID Connect Registration §4.4) the client no longer exists.
 */
export class RegistrationAccessTokenRejectedError extends UpstreamError {
  override readonly name: string = 'RegistrationAccessTokenRejectedError';
}

/** Throttling, a 5xx, a network fault or a registration still in progress: retrying later can work. */
export class TemporarilyUnavailableError extends DcrError {
  override readonly name: string = 'TemporarilyUnavailableError';
  readonly code = 'temporarily_unavailable';
  readonly status = 503;
  readonly retryable = true;
  /** What to tell our caller in Retry-After. */
  readonly retryAfterSeconds: number;
  /** The upstream's own Retry-After, when it sent one: retries must not come sooner. */
  readonly serverRetryAfterSeconds?: number;
  /** True when a request may have reached the identity provider before the failure (e.g. a timeout). */
  readonly ambiguous: boolean;

  constructor(
    message: string,
    retryAfterSeconds?: number,
    options?: ErrorOptions & { ambiguous?: boolean; serverRetryAfterSeconds?: number },
  ) {
    super(message, options);
    this.serverRetryAfterSeconds = options?.serverRetryAfterSeconds;
    this.retryAfterSeconds = retryAfterSeconds ?? options?.serverRetryAfterSeconds ?? 5;
    this.ambiguous = options?.ambiguous ?? false;
  }
}

/** Our own configuration or permissions are wrong: an operator must act, retrying will not help. */
export class ConfigurationError extends DcrError {
  override readonly name: string = 'ConfigurationError';
  readonly code = 'server_error';
  readonly status = 500;
  readonly retryable = false;
}

/** The request body is larger than the documented cap (functions/core/options.ts). */
export class PayloadTooLargeError extends DcrError {
  override readonly name: string = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
  readonly status = 413;
  readonly retryable = false;
}

/**
 * Another mutation (rotate, offboard, delete) of the same tenant and target holds the tenant's lease:
 * HTTP callers get 409 and try again; events are retried (retryable).
 */
export class OperationInProgressError extends DcrError {
  override readonly name: string = 'OperationInProgressError';
  readonly code = 'operation_in_progress';
  readonly status = 409;
  readonly retryable = true;
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds = 2) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The provider answered 2xx but the answer cannot be used (no client_secret for a confidential
 * client, a malformed field). `client` holds what is needed to delete the client by RFC 7592; it is
 * a private field, so no serializer (logger, JSON) ever sees the token in it.
 */
export class UnusableRegistrationError extends UpstreamError {
  override readonly name: string = 'UnusableRegistrationError';
  readonly #client: UnusableClient | undefined;

  constructor(message: string, client?: UnusableClient, upstreamStatus?: number) {
    super(message, upstreamStatus);
    this.#client = client;
  }

  /** The client the provider created, when its answer named one (client_id at least). */
  get client(): UnusableClient | undefined {
    return this.#client;
  }
}

export interface UnusableClient {
  client_id: string;
  registration_client_uri?: string;
  registration_access_token?: string;
}

/**
 * Whether an event (an asynchronous delivery) is retried. Anything that is not a DcrError is an
 * unexpected fault: answer 500 and let events be retried. A refused initial access token is retried
 * too although no caller should retry it at once: the registration was re-read and retried already,
 * and the one fix (an operator stores the new token) is picked up by a redelivery; an event that is
 * still refused reaches the DLQ, to be redriven, instead of being dropped.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof InitialAccessTokenRejectedError) return true;
  return error instanceof DcrError ? error.retryable : true;
}
