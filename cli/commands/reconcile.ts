import { TARGET_NAME } from '../../functions/core/config/targetConfig.js';
import { reconcileClients } from '../../functions/core/useCases/reconcileClients.js';
import type { Command } from '../command.js';
import { EXIT_CODES } from '../exitCodes.js';
import { keyValues } from '../output.js';
import { UsageError } from '../usageError.js';

export const reconcile: Command = {
  path: ['reconcile'],
  summary: 'read each stored client back (RFC 7592 GET): report clients gone at the provider and metadata that drifted',
  options: {
    target: { type: 'string', value: 'X', description: 'only this target (default: every target)' },
    fix: { type: 'boolean', description: 'restore drifted metadata by RFC 7592 PUT (a provider may issue a new secret: stored)' },
  },
  details:
    'Only fields the configuration pins are compared (clientMetadata without callerMetadata, and the auth method). ' +
    'Clients without RFC 7592 credentials are counted as unmanaged. Exits 6 when a client is missing, drifted (and not fixed) or could not be read.',
  async run(context, values) {
    if (typeof values.target === 'string' && !TARGET_NAME.test(values.target)) {
      throw new UsageError(`--target must match ${TARGET_NAME.source}`);
    }
    const deps = { ...(await context.dependencies()), catalog: context.catalog() };
    const result = await reconcileClients({ target: values.target as string | undefined, fix: values.fix === true }, deps);
    const human = keyValues([
      ['checked', result.checked],
      ['missing', result.missing.map((ref) => `${ref.target}/${ref.tenantId}`).join(' ')],
      [
        'drifted',
        result.drifted
          .map((entry) => `${entry.target}/${entry.tenantId} (${entry.fields.join(',')}${entry.fixed ? ': fixed' : ''})`)
          .join(' '),
      ],
      ['unmanaged', result.unmanaged],
      ['failed', result.failed.map((entry) => `${entry.target}/${entry.tenantId} (${entry.error})`).join(' ')],
      ['deferred', result.deferred],
    ]);
    const attention = result.missing.length > 0 || result.failed.length > 0 || result.drifted.some((entry) => !entry.fixed);
    return { json: result, human, exitCode: attention ? EXIT_CODES.attention : EXIT_CODES.ok };
  },
};
