import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/core/errors.js';
import { SecretAlreadyExistsError, SecretScheduledForDeletionError } from '../../functions/core/ports/SecretStore.js';

// The production bundle is minified without keepNames, so a class's own name is not its `name`:
// each class must state it, and logs and the CLI show that stated name.
describe('error names', () => {
  type AnyErrorClass = new (a: string, b: string) => Error;
  const errorClasses = (Object.entries(errors) as [string, unknown][]).filter(
    (entry): entry is [string, AnyErrorClass] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error && entry[0] !== 'DcrError',
  );

  it('covers every concrete error class of the core', () => {
    expect(errorClasses.map(([exported]) => exported).sort()).toEqual([
      'ConfigurationError',
      'InitialAccessTokenRejectedError',
      'InvalidClientMetadataError',
      'InvalidRequestError',
      'NotFoundError',
      'NotSupportedError',
      'OperationInProgressError',
      'PayloadTooLargeError',
      'RegistrationAccessTokenRejectedError',
      'TemporarilyUnavailableError',
      'UnusableRegistrationError',
      'UpstreamError',
    ]);
  });

  it.each(errorClasses)('%s states its own name', (exported, ErrorClass) => {
    // Prepare, Act
    const error = new ErrorClass('invalid_client_metadata', 'message');

    // Assess
    expect(error.name).toBe(exported);
    expect(String(error)).toMatch(new RegExp(`^${exported}: `));
  });

  it.each([SecretAlreadyExistsError, SecretScheduledForDeletionError])('%o states its own name', (ErrorClass) => {
    expect(new ErrorClass('s').name).toBe(ErrorClass.name);
  });
});

describe('isRetryable (whether an event is redelivered)', () => {
  it('redelivers a refused initial access token, which callers still see as terminal (502)', () => {
    // An operator's new token is picked up by a redelivery; one still refused reaches the DLQ.
    const refused = new errors.InitialAccessTokenRejectedError('refused', 400);
    expect(errors.isRetryable(refused)).toBe(true);
    expect(refused).toMatchObject({ retryable: false, status: 502, code: 'upstream_error' });
  });

  it('does not redeliver a refused registration access token or another upstream refusal', () => {
    expect(errors.isRetryable(new errors.RegistrationAccessTokenRejectedError('refused', 401))).toBe(false);
    expect(errors.isRetryable(new errors.UpstreamError('refused', 400))).toBe(false);
  });
});
