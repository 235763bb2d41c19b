export type OutcomeType =
  | 'ClientRegistered'
  | 'ClientRegistrationFailed'
  | 'ClientDeregistered'
  | 'ClientSecretRotated'
  /** A client exists at the provider that the service could neither store nor delete: an operator must remove it. */
  | 'ClientOrphaned';

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
