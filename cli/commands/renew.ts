import { TARGET_NAME } from '../../functions/core/config/targetConfig.js';
import { renewExpiringSecrets } from '../../functions/core/useCases/renewExpiringSecrets.js';
import type { Command } from '../command.js';
import { EXIT_CODES } from '../exitCodes.js';
import { keyValues } from '../output.js';
import { UsageError } from '../usageError.js';

const tenants = (refs: readonly { tenantId: string; target: string }[]) => refs.map((ref) => `${ref.target}/${ref.tenantId}`).join(' ');

export const renew: Command = {
  path: ['renew'],
  summary: "rotate every client secret expiring within its target's renewBeforeSeconds (the scheduled renew)",
  options: {
    target: { type: 'string', value: 'X', description: 'only this target (default: every target)' },
  },
  details:
    'Reads at most 200 tenants per run (a larger fleet is covered over several days). Exits 6 when a renewal failed or a secret had expired.',
  async run(context, values) {
    if (typeof values.target === 'string' && !TARGET_NAME.test(values.target)) {
      throw new UsageError(`--target must match ${TARGET_NAME.source}`);
    }
    const deps = { ...(await context.dependencies()), catalog: context.catalog() };
    const result = await renewExpiringSecrets({ target: values.target as string | undefined }, deps);
    const human = keyValues([
      ['checked', result.checked],
      ['renewed', tenants(result.renewed)],
      ['failed', result.failed.map((entry) => `${entry.target}/${entry.tenantId} (${entry.error})`).join(' ')],
      ['expired', tenants(result.expired)],
      ['deferred', result.deferred],
    ]);
    const attention = result.failed.length > 0 || result.expired.length > 0;
    return { json: result, human, exitCode: attention ? EXIT_CODES.attention : EXIT_CODES.ok };
  },
};
