import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

const REFUSED_PROOFS = 2;
let env: RegistrationEnvironment;
let slow: LocalIdentityProvider;
let outcomes: OutcomeQueue;
let queueUrl: string;
let queueArn: string;
let tokenRequests = 0;
const run = randomUUID().slice(0, 8);
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});

/** Receives the lane's messages (waiting out their delay) and hands each to the handler as the event source mapping would. */
async function driveLane(rounds: number): Promise<number[]> {
  const attempts: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 3 }),
    );
    if (!Messages.length) break;
    for (const message of Messages) {
      const record = {
        messageId: message.MessageId ?? randomUUID(),
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: 'us-east-1',
      };
      const answer = await env.invoke({ Records: [record] });
      expect(answer.batchItemFailures).toEqual([]);
      attempts.push(JSON.parse(record.body).attempt);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return attempts;
}

beforeAll(async () => {
  // A provider that refuses each new client's first proofs (invalid_client), as Salesforce does for minutes.
  slow = await startLocalIdentityProvider({
    profile: 'rfc7591',
    gate: (req, res) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/token')) return false;
      if (++tokenRequests > REFUSED_PROOFS) return false;
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
      return true;
    },
  });
  const iat = `dcr-test/${run}/iat/slow`;
  await seedInitialAccessToken(secrets, iat, await slow.issueInitialAccessToken());
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `dcr-lane-${run}` }));
  queueUrl = created.QueueUrl ?? '';
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  queueArn = attributes.Attributes?.QueueArn ?? '';
  process.env.LANE_QUEUE_URL = queueUrl;
  process.env.LANE_QUEUE_ARN = queueArn;
  outcomes = await createOutcomeQueue(run);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment((config) => {
    config.targets.slow = { ...localTarget(slow, iat), readiness: { timeoutSeconds: 60, intervalSeconds: 1 } };
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await slow?.close();
  sqs.destroy();
  secrets.destroy();
});

describe('readiness on oidc-provider and moto SQS', () => {
  it('announces ClientReady only after the provider accepted the new client, through delayed lane messages', async () => {
    // Act 1: the registration returns at once; only ClientRegistered so far
    const registered = JSON.parse(
      (
        await env.invoke(
          httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId: 'acme', target: 'slow' }) }),
        )
      ).body,
    );
    const early = (await outcomes.drain()).map((event) => event['detail-type']);

    // Act 2: the lane delivers the checks
    const attempts = await driveLane(8);
    const late = await outcomes.drain();

    // Assess
    expect(early).toEqual(['ClientRegistered']);
    expect(attempts).toEqual([1, 2, 3]);
    expect(tokenRequests).toBe(REFUSED_PROOFS + 1);
    const ready = late.filter((event) => event['detail-type'] === 'ClientReady');
    expect(ready.map((event) => event.detail)).toEqual([
      {
        tenantId: 'acme',
        target: 'slow',
        clientId: registered.clientId,
        secretArn: registered.secretArn,
        attempts: 3,
        readiness: 'confirmed',
      },
    ]);
  }, 90_000);

  it('leaks no secret into logs, answers or events', async () => {
    // Act
    const values = [...(await env.secretValues()), ...slow.issuedSecrets];

    // Assess
    expect(leakedSecrets([...env.logs, ...env.responses, JSON.stringify(await outcomes.drain())], values)).toEqual([]);
  });
});
