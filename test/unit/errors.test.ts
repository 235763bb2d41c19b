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
