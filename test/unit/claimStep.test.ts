import { describe, expect, it } from 'vitest';
import { type ClaimSituation, decideClaimStep } from '../../functions/core/useCases/claim.js';

const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const situation = (overrides: Partial<ClaimSituation> = {}): ClaimSituation => ({
  tenantId: 'acme',
  target: 'default',
  claimId: 'our-claim',
  restored: false,
  now: NOW,
  deadline: NOW + 3_000,
  pollMs: 150,
  staleAfterMs: 900_000,
  ...overrides,
});
const secret = (record: Record<string, unknown>) => ({
  arn: 'arn:secret',
  name: 'dcr/clients/default/acme',
  value: JSON.stringify(record),
});
const pending = (claimId: string, ageMs: number) =>
  secret({
    dcr_status: 'pending',
    tenant_id: 'acme',
    target: 'default',
    claim_id: claimId,
    claimed_at: new Date(NOW - ageMs).toISOString(),
  });

describe('decideClaimStep: the claim protocol without I/O', () => {
  it.each([
    ['nothing readable, not restored yet: restore it', undefined, {}, { step: 'restore' }],
    ['nothing readable after a restore: look again', undefined, { restored: true }, { step: 'wait' }],
    ['nothing readable and the wait is over: give up', undefined, { restored: true, deadline: NOW + 100 }, { step: 'give-up' }],
    ['a secret that is not a record of ours', secret({ hello: 'world' }), {}, { step: 'not-ours' }],
    [
      "another tenant's record under this name",
      secret({ dcr_status: 'pending', tenant_id: 'other', target: 'default', claim_id: 'x', claimed_at: new Date(NOW).toISOString() }),
      {},
      { step: 'not-ours' },
    ],
    ['our own claim (an SDK retry of our create landed)', pending('our-claim', 10), {}, { step: 'ours', arn: 'arn:secret' }],
    ['a fresh claim of another invocation: wait for it', pending('their-claim', 1_000), {}, { step: 'wait' }],
    ['a fresh claim, and no time left to wait', pending('their-claim', 1_000), { deadline: NOW + 149 }, { step: 'give-up' }],
    [
      'a stale claim: take it over, naming the claim it replaces',
      pending('dead-claim', 900_001),
      {},
      { step: 'take-over', arn: 'arn:secret', replaced: 'dead-claim', staleClaimedAt: new Date(NOW - 900_001).toISOString() },
    ],
    [
      'a tombstone: take it over',
      secret({
        dcr_status: 'offboarded',
        tenant_id: 'acme',
        target: 'default',
        client_id: 'c1',
        offboarded_at: '2026-12-01T00:00:00.000Z',
      }),
      {},
      { step: 'take-over', arn: 'arn:secret', replaced: 'offboarded:2026-12-01T00:00:00.000Z' },
    ],
  ] as const)('%s', (_, existing, overrides, expected) => {
    expect(decideClaimStep(existing, situation(overrides))).toEqual(expected);
  });

  it('a registered record answers exists with it', () => {
    const registered = { dcr_status: 'registered', tenant_id: 'acme', target: 'default', client_id: 'c1' };
    expect(decideClaimStep(secret(registered), situation())).toEqual({ step: 'exists', arn: 'arn:secret', record: registered });
  });
});
