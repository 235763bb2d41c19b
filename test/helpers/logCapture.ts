/** Captures everything written to stdout (the logger's sink) while active, and keeps it off the console. */
export function captureStdout(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return { lines, restore: () => (process.stdout.write = original) };
}

/** Which of the secret values occur in any of the texts; an empty list is a pass. */
export function leakedSecrets(texts: readonly string[], secrets: readonly string[]): string[] {
  const haystack = texts.join('\n');
  return secrets.filter((secret) => secret.length >= 6 && haystack.includes(secret)).map((s) => `${s.slice(0, 4)}…`);
}
