import type { Context } from 'aws-lambda';
import { dispatch } from './dispatch.js';
import { createAwsRuntime } from './runtime.js';

// SDK clients and settings are created once per container, during init.
const runtime = createAwsRuntime();

/** Lambda entry point for the HTTP API, the `TenantOnboarded` rule and the canary schedule. */
export const handler = (event: unknown, context?: Context) => dispatch(event, runtime, context);
