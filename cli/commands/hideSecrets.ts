// The same rule as the logger's: keys ending in secret/token/password name a secret value.
const SECRET_KEY = /(secret|token|password)$/i;
// A private key (private_key_jwk) is hidden whole, whether a JWK object or a string.
const PRIVATE_KEY = /private_?key(_?jwk)?$/i;

export const HIDDEN_HINT = '(hidden; --reveal shows it)';

/** A copy without secret values, at any depth; the keys are dropped so no script mistakes a placeholder for a value. */
export function hideSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(hideSecrets) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(SECRET_KEY.test(key) && typeof inner === 'string') && !(PRIVATE_KEY.test(key) && inner != null))
      .map(([key, inner]) => [key, hideSecrets(inner)]),
  ) as T;
}
