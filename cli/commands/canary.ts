import { TARGET_NAME } from '../../functions/core/config/targetConfig.js';
import { runCanary } from '../../functions/core/useCases/runCanary.js';
import type { Command } from '../command.js';
import { TARGET_OPTION } from '../tenantOptions.js';
import { keyValues } from '../output.js';
import { UsageError } from '../usageError.js';

export const canary: Command = {
  path: ['canary'],
  summary: 'register a throw-away client, read it back, then delete client and secret',
  options: {
    ...TARGET_OPTION,
  },
  details: 'The scheduled canary, on demand. Any failure exits non-zero.',
  async run(context, values) {
    if (typeof values.target === 'string' && !TARGET_NAME.test(values.target)) {
      throw new UsageError(`--target must match ${TARGET_NAME.source}`);
    }
    const result = await runCanary(values.target as string | undefined, await context.dependencies());
    const human = keyValues([
      ['canary', 'ok'],
      ['tenant', result.tenantId],
      ['client_id', result.clientId],
      ['duration', `${result.durationMs} ms`],
    ]);
    return { json: result, human };
  },
};
