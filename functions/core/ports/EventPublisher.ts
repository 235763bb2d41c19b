export type OutcomeType =
  | 'ClientRegistered'
  | 'ClientRegistrationFailed'
  | 'ClientDeregistered'
  | 'ClientSecretRotated'
  /** A client exists at the provider that the service could neither store nor delete: an operator must remove it. */
  | 'ClientOrphaned'
  /**
   * Offboarding completed but the provider refused the RFC 7592 DELETE with 401/403: the client is
   * gone already (RFC 7592 §2) or its registration access token is not valid. An operator checks.
   */
  | 'ClientDeletionUnconfirmed';

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
