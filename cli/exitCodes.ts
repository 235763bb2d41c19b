import { DcrError } from '../functions/core/errors.js';

/**
 * The CLI's exit codes, derived from the error classes' `status` and `retryable` in one place, so a
 * script can tell "fix your input" from "the provider said no" from "try again later".
 */
export const EXIT_CODES = {
  ok: 0,
  /** An unexpected fault (a bug, or an error that is not one of ours). */
  failure: 1,
  /** Bad input: usage, a schema violation, an unknown target, metadata the provider refused (400). */
  badInput: 2,
  /** The tenant, secret or file asked for does not exist (404). */
  notFound: 3,
  /** The identity provider refused: IAT rejected, a terminal upstream failure, unsupported (502, 409). */
  upstreamRefused: 4,
  /** Our configuration or permissions are wrong: an operator must act (500). */
  configuration: 5,
  /** The command ran, and found what an operator must act on: a missing or drifted client, a failed renewal (`reconcile`, `renew`). */
  attention: 6,
  /** Retryable: throttling, 5xx, network, a registration in progress (sysexits EX_TEMPFAIL). */
  retryable: 75,
} as const;

const BY_STATUS: Record<number, number> = {
  400: EXIT_CODES.badInput,
  404: EXIT_CODES.notFound,
  409: EXIT_CODES.upstreamRefused,
  502: EXIT_CODES.upstreamRefused,
  500: EXIT_CODES.configuration,
};

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof DcrError)) return EXIT_CODES.failure;
  if (error.retryable) return EXIT_CODES.retryable;
  return BY_STATUS[error.status] ?? (error.status < 500 ? EXIT_CODES.badInput : EXIT_CODES.failure);
}
