import type { Bundle, ChargeItem, Condition } from 'fhir/r4';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';

/** Reads a search from the sandbox FHIR server as an admin would, with a system token. */
export async function searchAsAdmin<T>(ehr: SandboxEhr, query: string): Promise<T[]> {
  const token = await ehr.issueSystemToken('system/*.rs');
  const res = await fetch(`${ehr.fhirBase}/${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
  });
  if (!res.ok) throw new Error(`search ${query} answered ${res.status}`);
  return ((await res.json()) as Bundle).entry?.map((e) => e.resource as T) ?? [];
}

/** Every Condition and ChargeItem of an encounter as `id@version`: what "stored data unchanged" compares. */
export async function encounterVersions(ehr: SandboxEhr, encounterId: string): Promise<string[]> {
  const [conditions, charges] = await Promise.all([
    searchAsAdmin<Condition>(ehr, `Condition?encounter=Encounter/${encounterId}`),
    searchAsAdmin<ChargeItem>(ehr, `ChargeItem?context=Encounter/${encounterId}`),
  ]);
  return [...conditions, ...charges]
    .map((r) => `${r.resourceType}/${r.id ?? ''}@${r.meta?.versionId ?? ''}`)
    .sort();
}

/** Calls the app's API with a session handle, any method and body. */
export async function callApi(
  appUrl: string,
  handle: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${appUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${handle}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
