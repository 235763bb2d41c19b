import { Annotations, Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, AnyPrincipal, ArnPrincipal, Effect, type IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface TenantEventPublishersProps {
  /** A bus the stack creates (an `EventBus`) gets the policy; an imported one cannot. */
  readonly eventBus: IEventBus;
  /** The `source` of tenant events. */
  readonly source: string;
  /** Account ids or IAM role/user ARNs. Default: this account only. */
  readonly publishers?: readonly string[];
}

const ACCOUNT = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const ROLE_OR_USER = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]+$/;

/**
 * The bus policy naming who may put tenant events: a tenant event offboards a tenant or rotates its
 * secret, so a forged one is an attack. It allows the publishers to put events with the tenant
 * `source` and denies that `source` to everyone else, this account's own roles included; events with
 * any other source (the function's outcome events) are left to IAM. An imported bus's policy belongs
 * to its owner: the stack says so and sets nothing.
 */
export class TenantEventPublishers extends Construct {
  readonly accounts: readonly string[];
  readonly principalArns: readonly string[];

  constructor(scope: Construct, id: string, props: TenantEventPublishersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const parsed = parsePublishers(props.publishers);
    this.accounts = parsed ? parsed.accounts : [stack.account];
    this.principalArns = parsed ? parsed.principalArns : [];

    const bus = props.eventBus;
    if (!(bus instanceof EventBus)) {
      const who = props.publishers?.length ? props.publishers.join(', ') : 'the publishing accounts';
      const message =
        `the tenant event bus ${bus.eventBusName} is imported: its owner must set a bus policy that allows ` +
        `events:PutEvents with source ${props.source} to ${who} only; the stack cannot`;
      if (props.publishers?.length) Annotations.of(this).addWarningV2('dcr:eventPublishersNotApplied', message);
      else Annotations.of(this).addInfo(message);
      return;
    }

    const busArn = bus.eventBusArn;
    const sourceIs = { 'events:source': props.source };
    const principals: IPrincipal[] = [
      ...this.accounts.map((account) => new AccountPrincipal(account)),
      ...this.principalArns.map((arn) => new ArnPrincipal(arn)),
    ];
    bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowTenantEventPublishers',
        principals,
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions: { StringEquals: sourceIs },
      }),
    );
    // Conditions in one statement are ANDed: denied unless the account or the principal is listed.
    bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyOtherTenantEventPublishers',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [busArn],
        conditions: {
          StringEquals: sourceIs,
          ...(this.accounts.length ? { StringNotEquals: { 'aws:PrincipalAccount': [...this.accounts] } } : {}),
          ...(this.principalArns.length ? { ArnNotLike: { 'aws:PrincipalArn': [...this.principalArns] } } : {}),
        },
      }),
    );
  }
}

/** Account ids and role/user ARNs; an account's root ARN counts as the account. Undefined when none given. */
function parsePublishers(publishers: readonly string[] | undefined) {
  if (!publishers?.length) return undefined;
  const accounts = new Set<string>();
  const principalArns = new Set<string>();
  for (const entry of publishers) {
    const root = ACCOUNT_ROOT.exec(entry);
    if (ACCOUNT.test(entry)) accounts.add(entry);
    else if (root) accounts.add(root[1] as string);
    else if (ROLE_OR_USER.test(entry)) principalArns.add(entry);
    else {
      throw new Error(`eventPublishers: "${entry}" is neither a 12-digit account id nor an IAM role or user ARN`);
    }
  }
  return { accounts: [...accounts], principalArns: [...principalArns] };
}
