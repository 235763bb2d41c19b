import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../../sandbox/motoServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

/** One moto_server for the whole run on a free loopback port; each test file uses its own names in it. */
export default async function setup(project: TestProject) {
  // moto with one fidelity fix (AWSCURRENT moved by UpdateSecretVersionStage): see the script's docstring.
  const moto = await startMotoServer({ launcher: fileURLToPath(new URL('./moto_current_stage_fix.py', import.meta.url)) });
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
