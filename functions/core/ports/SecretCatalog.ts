export interface SecretSummary {
  arn: string;
  name: string;
  tags: Record<string, string>;
}

/**
 * Finding secrets by name prefix: for operators (the CLI's `list`). The function never lists, and its
 * role has no secretsmanager:ListSecrets.
 */
export interface SecretCatalog {
  /** Secrets whose name starts with `prefix`. */
  list(prefix: string): Promise<SecretSummary[]>;
}
