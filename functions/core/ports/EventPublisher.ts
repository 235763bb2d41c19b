import type { OUTCOME_TYPES } from '../constants.js';

/** An outcome event's detail-type (functions/core/constants.ts lists and describes them). */
export type OutcomeType = (typeof OUTCOME_TYPES)[number];

/** Outcome details: identifiers and error codes only, never secret material. */
export interface OutcomeDetail {
  tenantId: string;
  target: string;
  clientId?: string;
  secretArn?: string;
  error?: string;
  errorDescription?: string;
  retryable?: boolean;
  /** ClientSecretRenewalFailed: `expired` or `failed`. ClientDrifted: `missing` or `metadata`. */
  reason?: string;
  /** ClientDrifted (`metadata`): the configured fields the provider's registration differs in (names only). */
  fields?: string[];
  /** ClientSecretRenewalFailed: the secret's client_secret_expires_at (epoch seconds). */
  expiresAt?: number;
  /** ClientSecretRenewalFailed (`expired`): whether the renewal that followed succeeded. */
  renewed?: boolean;
  /** ClientReady: `unchecked` (the target has no `readiness`), `confirmed` (a token request proved it), `timed-out`. */
  readiness?: 'unchecked' | 'confirmed' | 'timed-out';
  /** ClientReady: token requests made to confirm it. */
  attempts?: number;
}

export interface EventPublisher {
  publish(type: OutcomeType, detail: OutcomeDetail): Promise<void>;
}
