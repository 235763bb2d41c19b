import { SecretValue, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TargetEntry } from '../../functions/core/config/targetsDocument.js';

export interface InitialAccessTokenSecretsProps {
  /**
   * Target name → the existing secret's name or full ARN, undefined to create an IAT secret, or null
   * when the target needs none (`registrationCredential: {"type":"none"}`). See `credentialSecretOf`.
   */
  readonly targets: Readonly<Record<string, string | undefined | null>>;
  /** Name prefix of the secrets this construct creates: `${prefix}${target}`. */
  readonly namePrefix: string;
  /** Encrypts the created secrets; the function may already decrypt with it. */
  readonly encryptionKey: IKey;
}

export interface InitialAccessTokenSecret {
  readonly secret: ISecret;
  /** What the config names as `initialAccessTokenSecretId`. */
  readonly secretId: string;
  /** The ARN an IAM policy must name: the full ARN, or for a name-imported secret `name-??????`. */
  readonly policyArn: string;
  /** Human-readable name, for outputs and the runbook. */
  readonly secretName: string;
  readonly created: boolean;
}

// The function treats `{"initialAccessToken": ""}` as "no token yet" and fails with a clear message.
// Never change this value: CloudFormation would overwrite the token the operator put in.
const PLACEHOLDER = JSON.stringify({ initialAccessToken: '' });

/**
 * One registration credential secret per target that needs one, which the function may read: an IAT
 * secret created empty for the operator to fill, or any credential secret (IAT, client credentials,
 * API key) imported by name or ARN.
 */
export class InitialAccessTokenSecrets extends Construct {
  readonly byTarget: Readonly<Record<string, InitialAccessTokenSecret>>;

  constructor(scope: Construct, id: string, props: InitialAccessTokenSecretsProps) {
    super(scope, id);
    const byTarget: Record<string, InitialAccessTokenSecret> = {};
    for (const [target, existing] of Object.entries(props.targets)) {
      if (existing === null) continue;
      byTarget[target] = existing ? this.#import(target, existing) : this.#create(target, props);
    }
    this.byTarget = byTarget;
  }

  /** ARNs for IAM, one per target. */
  get policyArns(): string[] {
    return Object.values(this.byTarget).map((entry) => entry.policyArn);
  }

  #create(target: string, props: InitialAccessTokenSecretsProps): InitialAccessTokenSecret {
    const secretName = `${props.namePrefix}${target}`;
    const secret = new Secret(this, `Target-${target}`, {
      secretName,
      description:
        `Initial access token for DCR target "${target}" (dcr-onboarding). Created empty: put the token ` +
        'issued by the identity provider here with `aws secretsmanager put-secret-value`, raw or as {"initialAccessToken":"..."}.',
      encryptionKey: props.encryptionKey,
      secretStringValue: SecretValue.unsafePlainText(PLACEHOLDER),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An initial access token is issued by the identity provider admin (e.g. Salesforce setup), not by an API a rotation ' +
        'function could call; the operator replaces it and the function re-reads it after a 401.',
    });
    return { secret, secretId: secret.secretArn, policyArn: secret.secretArn, secretName, created: true };
  }

  #import(target: string, existing: string): InitialAccessTokenSecret {
    const id = `Imported-${target}`;
    const secret = existing.startsWith('arn:')
      ? Secret.fromSecretCompleteArn(this, id, existing)
      : Secret.fromSecretNameV2(this, id, existing);
    // Secrets Manager appends six random characters to every ARN; a name alone must match them.
    const policyArn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    return { secret, secretId: existing, policyArn, secretName: secretNameOf(existing), created: false };
  }
}

/** `arn:aws:secretsmanager:r:a:secret:name-AbCdEf` → `name`; a plain name stays as it is. */
export function secretNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}$/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

/**
 * The secret a target's registration credential is read from: a `registrationCredential`'s `secretId`
 * (always imported; null for `none`), else `initialAccessTokenSecretId` (imported), else undefined: the
 * stack creates an IAT secret.
 */
export function credentialSecretOf(target: TargetEntry): string | undefined | null {
  const credential = target.registrationCredential;
  if (credential === undefined) return target.initialAccessTokenSecretId;
  return typeof credential.secretId === 'string' && credential.secretId ? credential.secretId : null;
}

/** The target as the function's config names its credential secret: the id the stack resolved. */
export function withCredentialSecretId(target: TargetEntry, secretId: string | undefined): TargetEntry {
  const credential = target.registrationCredential;
  if (credential === undefined) return { ...target, initialAccessTokenSecretId: secretId };
  return secretId === undefined ? target : { ...target, registrationCredential: { ...credential, secretId } };
}
