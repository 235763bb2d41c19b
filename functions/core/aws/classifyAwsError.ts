import { ConfigurationError, type DcrError, TemporarilyUnavailableError } from '../errors.js';

const CONFIGURATION_FAULTS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'DecryptionFailure',
  'EncryptionFailure',
  // No credentials at all (e.g. the CLI without a profile): retrying will not find any.
  'CredentialsProviderError',
  // The request itself is refused (e.g. a SecretString over 64 KB): the same request fails again.
  'ValidationException',
  'InvalidParameterException',
  // A resource policy the stack's configuration produced and Secrets Manager refuses.
  'MalformedPolicyDocumentException',
  'PublicPolicyException',
]);

/**
 * Maps an AWS SDK failure (after the SDK's own retries) to our error classes: permission and KMS faults
 * need an operator, everything else (throttling, 5xx, network) may pass.
 */
export function classifyAwsError(error: unknown, action: string): DcrError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  if (CONFIGURATION_FAULTS.has(name)) {
    return new ConfigurationError(`${action} was refused by AWS (${name})`, { cause: error });
  }
  return new TemporarilyUnavailableError(`${action} failed (${name})`, 2, { cause: error });
}
