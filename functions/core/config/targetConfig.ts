import * as z from 'zod/mini';
import { rateLimitSchema } from './rateLimit.js';
import {
  DEFAULT_READINESS_INTERVAL_SECONDS,
  DEFAULT_READINESS_TIMEOUT_SECONDS,
  MAX_READINESS_TIMEOUT_SECONDS,
  MAX_SQS_DELAY_SECONDS,
} from '../options.js';

export const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROFILES = ['salesforce', 'rfc7591'] as const;
export type Profile = (typeof PROFILES)[number];

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** https only; plain http only for loopback hosts, so local peers work and nothing else can be reached in clear. */
export function isAllowedEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  return LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/**
 * Fields a target may open to callers (`callerMetadata`). Anything that changes how the client
 * authenticates, whose keys it trusts or which grants it has (token_endpoint_auth_method, jwks,
 * jwks_uri, grant_types, response_types, scope, …) is never caller-settable.
 */
export const CALLER_SETTABLE_FIELDS = [
  'client_name',
  'contacts',
  'redirect_uris',
  'logo_uri',
  'client_uri',
  'policy_uri',
  'tos_uri',
  'software_version',
] as const;
export type CallerSettableField = (typeof CALLER_SETTABLE_FIELDS)[number];

/**
 * Parameters the service itself sets on a token request: `extraParams` may not name them (the
 * grant and client authentication are the service's; scope, audience and resource have their fields).
 */
export const RESERVED_TOKEN_PARAMS = ['grant_type', 'client_id', 'client_secret', 'scope', 'audience', 'resource'] as const;
/** Compared without case: some servers read parameter names case-insensitively. */
export function isReservedTokenParam(name: string): boolean {
  const lower = name.toLowerCase();
  return (RESERVED_TOKEN_PARAMS as readonly string[]).includes(lower) || lower.startsWith('client_assertion');
}
// RFC 6749 Appendix A.1 name characters; a leading letter keeps out `__proto__` and friends.
const TOKEN_PARAM_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** RFC 9110 §5.6.2 token: what an HTTP field name may be. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
// Headers the request itself sets or that change its framing or routing: an API key may not go in them.
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'accept',
  'expect',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'cookie',
]);

/** Client authentications at the token endpoint that mints a registration token. */
export const REGISTRATION_TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** Signing algorithms of the key pair generated for each `private_key_jwt` client (functions/core/clientKeys.ts). */
export const CLIENT_KEY_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

/**
 * The zod schemas of a target, built at their first use rather than at import: building them is most
 * of the module-scope work of the function's bundle, and only a configuration load needs them
 * (docs/performance.md). The same schemas as before, once per process.
 */
function buildTargetSchemas() {
  const endpointUrl = z
    .string()
    .check(z.refine(isAllowedEndpoint, 'must be an https: URL (http: only for loopback hosts), without credentials or fragment'));

  /** `https://host[:port]` (http only for loopback), nothing else: compared with `new URL(x).origin`. */
  const originString = z.string().check(
    z.maxLength(2048),
    z.refine((value) => isAllowedEndpoint(value) && new URL(value).origin === value, 'must be an origin like https://app.example.com'),
  );

  /** RFC 7591 client metadata: known fields are type-checked, unknown fields pass through to the provider. */
  const clientMetadataSchema = z
    .looseObject({
      client_name: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
      redirect_uris: z.optional(z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(100))),
      grant_types: z.optional(z.array(z.string().check(z.maxLength(255))).check(z.maxLength(20))),
      response_types: z.optional(z.array(z.string().check(z.maxLength(255))).check(z.maxLength(20))),
      contacts: z.optional(z.array(z.string().check(z.maxLength(320))).check(z.maxLength(20))),
      scope: z.optional(z.string().check(z.maxLength(2048))),
      token_endpoint_auth_method: z.optional(z.string().check(z.maxLength(255))),
      application_type: z.optional(z.string().check(z.maxLength(64))),
    })
    .check(z.refine((value) => Object.keys(value).length <= 50, 'at most 50 metadata fields'));

  /** A token-request parameter value: printable, no control characters, bounded. */
  const tokenParamValue = z.string().check(
    z.minLength(1),
    z.maxLength(2048),
    z.refine((value) => !/[\p{Cc}\p{Cs}]/u.test(value), 'must not contain control characters'),
  );

  /** What every token request the service makes for a registered client adds (docs/token-requests.md). */
  const tokenRequestSchema = z.strictObject({
    /** RFC 6749 §3.3; Okta custom authorization servers and Entra ID (`{resource}/.default`) need one. */
    scope: z.optional(tokenParamValue),
    /** Auth0-style `audience`. */
    audience: z.optional(tokenParamValue),
    /** RFC 8707 resource indicator(s): each sent as its own `resource` parameter. */
    resource: z.optional(z.union([tokenParamValue, z.array(tokenParamValue).check(z.minLength(1), z.maxLength(5))])),
    /** Any other parameter a provider wants, name → value (at most 10). */
    extraParams: z.optional(
      z
        .record(
          z.string().check(
            z.regex(TOKEN_PARAM_NAME, 'parameter names are 1-64 letters, digits, ".", "_" or "-", starting with a letter'),
            z.refine(
              (name) => !isReservedTokenParam(name),
              'may not set grant_type, client_id, client_secret, client_assertion*, scope, audience or resource (use the fields)',
            ),
          ),
          tokenParamValue,
        )
        .check(z.refine((params) => Object.keys(params).length <= 10, 'at most 10 extraParams')),
    ),
  });

  /** `readiness`: tries at `intervalSeconds` (SQS delays, ≤ 900) until `timeoutSeconds` after registration. */
  const readinessSchema = z.strictObject({
    timeoutSeconds: z._default(
      z
        .number()
        .check(
          z.int(),
          z.gte(10, 'must be at least 10'),
          z.lte(MAX_READINESS_TIMEOUT_SECONDS, `must be at most ${MAX_READINESS_TIMEOUT_SECONDS}`),
        ),
      DEFAULT_READINESS_TIMEOUT_SECONDS,
    ),
    intervalSeconds: z._default(
      z.number().check(z.int(), z.gte(1, 'must be at least 1'), z.lte(MAX_SQS_DELAY_SECONDS, `must be at most ${MAX_SQS_DELAY_SECONDS}`)),
      DEFAULT_READINESS_INTERVAL_SECONDS,
    ),
  });

  const secretIdString = z.string().check(z.minLength(1), z.maxLength(2048));

  /**
   * What a registration carries to be allowed (docs/providers.md): an initial access token, a token
   * minted by client credentials, an API key, or nothing (open registration, only when said).
   */
  const registrationCredentialSchema = z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('initialAccessToken'), secretId: secretIdString }),
    z.strictObject({
      type: z.literal('clientCredentials'),
      tokenEndpoint: endpointUrl,
      secretId: secretIdString,
      scope: z.optional(tokenParamValue),
      authMethod: z.optional(z.enum(REGISTRATION_TOKEN_AUTH_METHODS)),
    }),
    z.strictObject({
      type: z.literal('apiKey'),
      secretId: secretIdString,
      header: z._default(
        z.string().check(
          z.regex(HTTP_TOKEN, 'must be an HTTP header name (1-64 token characters)'),
          z.refine(
            (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
            'may not be a header the request itself sets (Host, Content-Type, …)',
          ),
        ),
        'Authorization',
      ),
      scheme: z._default(
        z.string().check(z.regex(/^[\x21-\x7e]{0,64}$/, 'must be printable ASCII without spaces (or "" for none)')),
        'SSWS',
      ),
    }),
    z.strictObject({ type: z.literal('none') }),
  ]);

  /** An RFC 7591 token_endpoint_auth_method name. */
  const authMethodName = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be a token_endpoint_auth_method name'));

  const targetFieldsSchema = z
    .looseObject({
      profile: z.enum(PROFILES),
      /** The DCR endpoint; or give `issuer` and it is read from the discovery document. */
      registrationEndpoint: z.optional(endpointUrl),
      issuer: z.optional(endpointUrl),
      /** Today's shape, still accepted: the same as `registrationCredential: { type: "initialAccessToken", secretId }`. */
      initialAccessTokenSecretId: z.optional(secretIdString),
      /** How a registration is authorised; exactly one of this and `initialAccessTokenSecretId`. */
      registrationCredential: z.optional(registrationCredentialSchema),
      tokenEndpoint: z.optional(endpointUrl),
      clientMetadata: z._default(clientMetadataSchema, {}),
      /** Client metadata fields a caller may set in a request's `client` (docs/security.md). */
      callerMetadata: z._default(z.array(z.enum(CALLER_SETTABLE_FIELDS)).check(z.maxLength(CALLER_SETTABLE_FIELDS.length)), [
        'client_name',
        'contacts',
      ]),
      /** Origins a caller's `redirect_uris` must be on, when callers may set them. */
      allowedRedirectOrigins: z._default(z.array(originString).check(z.maxLength(50)), []),
      /** Origins besides the issuer's that a discovered registration_endpoint may be on. */
      allowedRegistrationOrigins: z._default(z.array(originString).check(z.maxLength(10)), []),
      /**
       * Origins besides the registration endpoint's that an issued registration_client_uri may be on: RFC
       * 7592 calls (with the registration access token) go only there. Default none.
       */
      allowedManagementOrigins: z._default(z.array(originString).check(z.maxLength(10)), []),
      /** Added to every token request for this target's clients: canary proof, rotation test (docs/token-requests.md). */
      tokenRequest: z.optional(tokenRequestSchema),
      /**
       * Methods the provider may answer with besides the one requested (`clientMetadata`'s, else the
       * profile's): any other answer is an unusable registration and the client is deleted. Default none.
       */
      acceptedAuthMethods: z._default(z.array(authMethodName).check(z.maxLength(10)), []),
      /** For `private_key_jwt` clients: the algorithm of the key pair generated per tenant. Default ES256. */
      clientKeyAlgorithm: z.optional(z.enum(CLIENT_KEY_ALGORITHMS)),
      /** The onboarding lane's pace for this target (config/rateLimit.ts). Default: unpaced until a 429. */
      rateLimit: z.optional(rateLimitSchema()),
      /** The scheduled `renew` rotates a secret this long before its client_secret_expires_at. Default 7 days. */
      renewBeforeSeconds: z.optional(
        z.number().check(z.int(), z.gte(3_600, 'must be at least 3600'), z.lte(31_536_000, 'must be at most a year')),
      ),
      /** Confirm a new client can get a token before announcing ClientReady (useCases/confirmReadiness.ts). */
      readiness: z.optional(readinessSchema),
    })
    .check(
      z.refine((target) => Boolean(target.registrationEndpoint ?? target.issuer), {
        message: 'give registrationEndpoint, or issuer to discover it',
        path: ['registrationEndpoint'],
      }),
      // The service generates each private_key_jwt client's key and registers its public half alone.
      z.refine(
        ({ clientMetadata: metadata }) =>
          metadata.token_endpoint_auth_method !== 'private_key_jwt' || (metadata.jwks === undefined && metadata.jwks_uri === undefined),
        {
          message: "a private_key_jwt client's jwks is the key the service generates for it: give neither jwks nor jwks_uri",
          path: ['clientMetadata'],
        },
      ),
      // Open registration is never a default: a target says how it registers, once.
      z.refine((target) => (target.initialAccessTokenSecretId === undefined) !== (target.registrationCredential === undefined), {
        message: 'give exactly one of registrationCredential and initialAccessTokenSecretId (open registration is {"type":"none"})',
        path: ['registrationCredential'],
      }),
    );

  /** A target, with `initialAccessTokenSecretId` normalised into `registrationCredential`. */
  const targetConfigSchema = z.pipe(
    targetFieldsSchema,
    z.transform((target) => ({
      ...target,
      registrationCredential: target.registrationCredential ?? {
        type: 'initialAccessToken' as const,
        secretId: target.initialAccessTokenSecretId ?? '',
      },
    })),
  );
  return {
    endpointUrl,
    originString,
    clientMetadataSchema,
    tokenRequestSchema,
    readinessSchema,
    registrationCredentialSchema,
    targetConfigSchema,
  };
}

export type TargetSchemas = ReturnType<typeof buildTargetSchemas>;
let targetSchemasBuilt: TargetSchemas | undefined;

/** The target schemas (`targetConfigSchema`, `tokenRequestSchema`, …), built on the first call. */
export function targetSchemas(): TargetSchemas {
  targetSchemasBuilt ??= buildTargetSchemas();
  return targetSchemasBuilt;
}

export type ClientMetadata = z.infer<TargetSchemas['clientMetadataSchema']>;
export type TokenRequest = z.infer<TargetSchemas['tokenRequestSchema']>;
export type RegistrationCredential = z.infer<TargetSchemas['registrationCredentialSchema']>;
export type TargetConfig = z.output<TargetSchemas['targetConfigSchema']>;

/** A target whose endpoints are known (configured, or discovered from its issuer). */
export type EndpointTarget = TargetConfig & { registrationEndpoint: string };
