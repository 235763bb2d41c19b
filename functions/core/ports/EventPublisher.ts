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
}

export interface EventPublisher {
  publish(type: OutcomeType, detail: OutcomeDetail): Promise<void>;
}
