import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../../sandbox/motoServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

/** One moto_server for the whole run on a free loopback port; each test file uses its own names in it. */
export default async function setup(project: TestProject) {
  const moto = await startMotoServer();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
