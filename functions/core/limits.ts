/**
 * Size and shape limits of every boundary, in one place (docs/security.md explains each).
 * Changing one here changes it for the function, the CLI and the sandbox alike.
 */

/** `POST /registrations` body (and an event's detail): larger bodies are refused with 413. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

/** Any identity-provider answer (registration, RFC 7592, discovery, token); the request is aborted past it. */
export const MAX_UPSTREAM_BODY_BYTES = 256 * 1024;

/** Secrets Manager's limit for one SecretString: the record is checked against it before registering. */
export const MAX_SECRET_BYTES = 65_536;

/** Room the provider's answer needs in the stored record (secret, token, URI, echoed metadata). */
export const RESERVED_RECORD_BYTES = 16 * 1024;

/** Longest identifier or secret accepted from a provider before it is logged or stored. */
export const MAX_CLIENT_ID_LENGTH = 512;
export const MAX_CREDENTIAL_LENGTH = 4096;
export const MAX_URI_LENGTH = 2048;

/** Upstream error descriptions are quoted at most this long, after sanitising. */
export const MAX_QUOTED_DESCRIPTION = 200;

/** Rotation request ids remembered per tenant, so any redelivered request is a no-op. */
export const ROTATION_HISTORY_SIZE = 20;
