export interface DiscoveredEndpoints {
  registrationEndpoint: string;
  tokenEndpoint?: string;
}

/** Reads an issuer's OpenID Connect discovery document (the issuer is configuration, never input). */
export interface EndpointDiscovery {
  /**
   * The issuer's endpoints; its `registration_endpoint` must be on the issuer's origin or on one of
   * `allowedRegistrationOrigins` (the target's), else a ConfigurationError.
   */
  discover(issuer: string, allowedRegistrationOrigins?: readonly string[]): Promise<DiscoveredEndpoints>;
}
