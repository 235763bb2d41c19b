import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs no network, no moto and no Python (`npm run test:unit`, seconds);
// `integration` runs on real peers (moto_server started once by the global setup, oidc-provider
// in-process); `infra` synthesizes the stack offline. `npm test` runs all three.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/bench/**/*.test.ts'],
          globalSetup: ['test/helpers/globalSetup.ts'],
          setupFiles: ['test/helpers/awsEnvironment.ts'],
        },
      },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
    ],
  },
});
