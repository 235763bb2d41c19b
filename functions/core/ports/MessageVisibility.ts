/** One message to hide again for a while: where it came from, its receipt, and for how long. */
export interface VisibilityChange {
  /** The queue's ARN, as the SQS event names it (`eventSourceARN`). */
  queueArn: string;
  receiptHandle: string;
  seconds: number;
}

/** Changes how long received messages stay invisible (SQS ChangeMessageVisibility). */
export interface MessageVisibility {
  /** Resolves the ones that could not be changed (they come back after the queue's visibility timeout). */
  change(changes: readonly VisibilityChange[]): Promise<{ failed: number }>;
}
