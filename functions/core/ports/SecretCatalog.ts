export interface SecretSummary {
  arn: string;
  name: string;
  tags: Record<string, string>;
}

/**
 * Finding secrets by name prefix: for operators (the CLI's `list`) and the scheduled renew and
 * reconcile sweeps (useCases/tenantSweep.ts), for which the function may call secretsmanager:ListSecrets.
 */
export interface SecretCatalog {
  /** Secrets whose name starts with `prefix`. */
  list(prefix: string): Promise<SecretSummary[]>;
}
