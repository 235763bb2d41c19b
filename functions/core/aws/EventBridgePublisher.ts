import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { OUTCOME_SOURCE } from '../constants.js';
import type { EventPublisher, OutcomeDetail, OutcomeType } from '../ports/EventPublisher.js';
import { scrubSecrets } from '../redaction.js';
import { classifyAwsError } from './classifyAwsError.js';

/**
 * Puts outcome events on a bus, source `dcr-onboarding`, detail-type = the outcome. Details are built
 * from identifiers and error codes; the scrub is the same last line of defence as for logs and answers.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(type: OutcomeType, detail: OutcomeDetail): Promise<void> {
    let out;
    try {
      out = await this.client.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: this.busName, Source: OUTCOME_SOURCE, DetailType: type, Detail: scrubSecrets(JSON.stringify(detail)) }],
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, 'publishing an outcome event');
    }
    if (out.FailedEntryCount) {
      throw classifyAwsError(
        Object.assign(new Error(out.Entries?.[0]?.ErrorMessage ?? 'rejected'), { name: out.Entries?.[0]?.ErrorCode ?? 'PutEventsFailed' }),
        'publishing an outcome event',
      );
    }
  }
}
