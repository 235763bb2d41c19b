/**
 * A readiness check still to make: `confirmReady` on the onboarding lane, for a client just registered
 * at a target with `readiness` (useCases/confirmReadiness.ts). Identifiers and times only.
 */
export interface ReadinessCheck {
  action: 'confirmReady';
  tenantId: string;
  target: string;
  /** The client the check is for: a tenant re-registered since then is not confirmed by it. */
  clientId: string;
  /** 1 for the first check after registration. */
  attempt: number;
  /** ISO time after which the client counts as not ready. */
  deadline: string;
}

/** Sends a readiness check to be handled later, without holding an invocation open meanwhile. */
export interface ReadinessScheduler {
  /** `delaySeconds` ≤ 900 (SQS DelaySeconds). */
  schedule(check: ReadinessCheck, delaySeconds: number): Promise<void>;
}
