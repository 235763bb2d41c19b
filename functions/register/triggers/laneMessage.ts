import * as z from 'zod/mini';
import { describeIssues } from '../../core/config/serviceConfig.js';
import { TARGET_NAME, TENANT_ID } from '../../core/config/targetConfig.js';
import { isTenantEventType, TENANT_EVENTS, type TenantEventType } from '../../core/constants.js';
import { InvalidRequestError } from '../../core/errors.js';
import { confirmReadiness, parseReadinessCheck } from '../../core/useCases/confirmReadiness.js';
import { offboardTenant } from '../../core/useCases/offboardTenant.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest } from '../../core/useCases/registrationRequest.js';
import { rotateClientSecret } from '../../core/useCases/rotateClientSecret.js';
import { parseTenantRequest } from '../../core/useCases/tenantRequest.js';
import { ACTIONS, type ParsedEvent } from './eventBridge.js';
import { lazy } from '../../core/lazy.js';

export const LANE_ACTIONS = ['register', 'offboard', 'rotate'] as const;
export type LaneAction = (typeof LANE_ACTIONS)[number];

/**
 * A bare lane request, as `dcr import` sends it:
 * `{"action":"register","tenantId":"acme","target":"okta"}`. `client` (register only) is checked by
 * the target's metadata policy like an HTTP body's; `requestId` (rotate only) makes a repeated
 * rotation a no-op (default: the SQS message id, so a redelivery is one).
 */
export const laneRequestSchema = lazy(() =>
  z.looseObject({
    action: z.enum(LANE_ACTIONS),
    tenantId: z.string().check(z.regex(TENANT_ID, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')),
    target: z.optional(z.string().check(z.regex(TARGET_NAME, 'must match ^[a-z0-9][a-z0-9-]{0,31}$'))),
    requestId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 of A-Z a-z 0-9 . _ : -'))),
  }),
);
export type LaneRequest = z.infer<ReturnType<typeof laneRequestSchema>>;

/** A lane record: which tenant and target (for pacing and logs), and the one use case to run. */
export interface LaneWork extends ParsedEvent {
  /** `confirmReady`: a readiness check the function sent itself (useCases/confirmReadiness.ts). */
  action: LaneAction | 'confirmReady';
  target?: string;
}

const ENVELOPE_ACTIONS: Record<TenantEventType, LaneAction> = {
  [TENANT_EVENTS.onboarded]: 'register',
  [TENANT_EVENTS.offboarded]: 'offboard',
  [TENANT_EVENTS.rotationRequested]: 'rotate',
};

/**
 * Reads one SQS record body: an EventBridge envelope (a rule target delivers the whole event) or a
 * bare lane request. Throws InvalidRequestError for anything no retry can fix.
 */
export function parseLaneMessage(body: string, messageId: string): LaneWork {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    throw new InvalidRequestError('the message body is not JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    throw new InvalidRequestError('the message body is not a JSON object');
  const fields = message as Record<string, unknown>;
  if (typeof fields['detail-type'] === 'string' && 'detail' in fields) return fromEnvelope(fields);
  if (fields.action === 'confirmReady') {
    const check = parseReadinessCheck(fields);
    return { action: 'confirmReady', tenantId: check.tenantId, target: check.target, run: (deps) => confirmReadiness(check, deps) };
  }
  return fromRequest(fields, messageId);
}

function fromEnvelope(event: Record<string, unknown>): LaneWork {
  const detailType = event['detail-type'] as string;
  const known = isTenantEventType(detailType);
  const action = known ? ENVELOPE_ACTIONS[detailType] : undefined;
  const parse = known ? ACTIONS[detailType] : undefined;
  if (!action || !parse) throw new InvalidRequestError(`unsupported detail-type ${JSON.stringify(detailType.slice(0, 64))}`);
  const parsed = parse(event.detail, event as never);
  return { ...parsed, action, target: targetOf(event.detail) };
}

function fromRequest(fields: Record<string, unknown>, messageId: string): LaneWork {
  const parsed = laneRequestSchema().safeParse(fields);
  if (!parsed.success) throw new InvalidRequestError(describeIssues(parsed.error.issues));
  const { action, requestId, ...rest } = parsed.data;
  const base = { action, tenantId: rest.tenantId, target: rest.target };
  if (action === 'register') {
    const request = parseRegistrationRequest(rest);
    return { ...base, run: (deps) => registerTenant(request, deps) };
  }
  const request = parseTenantRequest(rest);
  if (action === 'offboard') return { ...base, run: (deps) => offboardTenant(request, deps) };
  return { ...base, run: (deps) => rotateClientSecret({ ...request, requestId: requestId ?? messageId }, deps) };
}

function targetOf(detail: unknown): string | undefined {
  const target = (detail as { target?: unknown } | null)?.target;
  return typeof target === 'string' ? target : undefined;
}
