export interface DiscoveredEndpoints {
  registrationEndpoint: string;
  tokenEndpoint?: string;
}

/** Reads an issuer's OpenID Connect discovery document (the issuer is configuration, never input). */
export interface EndpointDiscovery {
  discover(issuer: string): Promise<DiscoveredEndpoints>;
}
