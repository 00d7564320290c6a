import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';

const smartConfiguration = z.looseObject({ token_endpoint: z.url() });

/** The token endpoint from the FHIR server's `.well-known/smart-configuration` (SMART App Launch 2.2 §2.1). */
export async function discoverTokenUrl(
  fhirBaseUrl: string,
  fetchFn: typeof fetch = fetch,
  tokenVar = 'CHARTBILL_TOKEN_URL',
  baseVar = 'CHARTBILL_FHIR_BASE_URL',
): Promise<string> {
  const url = `${fhirBaseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let body: unknown;
  try {
    const res = await fetchFn(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
    body = await res.json();
  } catch (err) {
    throw new AppError('SMART_DISCOVERY_FAILED', `Cannot read ${url}: ${(err as Error).message}`, {
      cause: err,
      hint: `Set ${tokenVar}, or check ${baseVar}.`,
    });
  }
  const parsed = smartConfiguration.safeParse(body);
  if (!parsed.success)
    throw new AppError('SMART_DISCOVERY_FAILED', `${url} names no token_endpoint`, {
      cause: parsed.error,
      hint: `Set ${tokenVar}.`,
    });
  return parsed.data.token_endpoint;
}
