/** The sandbox's public URLs. Known only after the server listens, so they are read through getters. */
export interface SandboxUrls {
  readonly origin: string;
  readonly fhirBase: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly launchPageUrl: string;
}

/** URLs derived from the origin the sandbox listens on (`http://127.0.0.1:4410`). */
export function sandboxUrls(origin: () => string): SandboxUrls {
  return {
    get origin() {
      return origin();
    },
    get fhirBase() {
      return `${origin()}/fhir`;
    },
    get authorizeUrl() {
      return `${origin()}/oauth/authorize`;
    },
    get tokenUrl() {
      return `${origin()}/oauth/token`;
    },
    get jwksUrl() {
      return `${origin()}/oauth/jwks`;
    },
    get launchPageUrl() {
      return `${origin()}/ehr`;
    },
  };
}
