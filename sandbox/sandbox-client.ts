/** A client registered with the sandbox's authorization server (what an admin enters in an EHR). */
export interface SandboxClient {
  clientId: string;
  name: string;
  /** public: PKCE only; secret: client_secret_basic; jwks: private_key_jwt (RS384/ES384) */
  auth:
    | { kind: 'public' }
    | { kind: 'secret'; secret: string }
    | { kind: 'jwks'; jwks: { keys: JsonWebKey[] } };
  /** Exact redirect URIs; [] for backend clients. */
  redirectUris: string[];
  /** The EHR page's "Launch ChartBill" opens launchUrl?iss=…&launch=… */
  launchUrl?: string;
  /** The most this client may be granted (space separated). */
  scope: string;
}

/** Origins of the client's web pages: the EHR page must let them be framed and forms reach them. */
export function clientOrigins(clients: readonly SandboxClient[]): string[] {
  const urls = clients.flatMap((c) => [...c.redirectUris, ...(c.launchUrl ? [c.launchUrl] : [])]);
  const origins = urls.map((u) => {
    try {
      return new URL(u).origin;
    } catch {
      return undefined;
    }
  });
  return [...new Set(origins.filter((o): o is string => o !== undefined && o !== 'null'))];
}
