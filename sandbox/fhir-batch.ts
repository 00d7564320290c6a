import type { Bundle, BundleEntry } from 'fhir/r4';
import { errorAnswer, statusLine, type FhirAnswer, type FhirCall } from './fhir-response.ts';

/** The most entries one batch may carry; larger batches are refused as too costly. */
export const MAX_BATCH_ENTRIES = 1000;

const METHODS: ReadonlySet<string> = new Set<FhirCall['method']>([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
]);

/**
 * Runs a `batch` Bundle (FHIR R4 http.html §3.1.0.11): each entry is handled on its own, through
 * the same `handle` as a direct request (so scopes apply per entry), and answers in its own
 * `response` with status, location, etag and, on failure, an OperationOutcome. `transaction`
 * Bundles are refused: the memory repository cannot apply them atomically, and pretending to
 * would lose writes on failure.
 */
export async function processBatch(
  body: unknown,
  handle: (call: FhirCall) => Promise<FhirAnswer>,
): Promise<FhirAnswer> {
  if (
    typeof body !== 'object' ||
    body === null ||
    (body as { resourceType?: unknown }).resourceType !== 'Bundle'
  ) {
    return errorAnswer(400, 'invalid', 'POST to the FHIR base must carry a Bundle of type batch');
  }
  const bundle = body as Bundle;
  if (bundle.type === 'transaction') {
    return errorAnswer(
      501,
      'not-supported',
      'Transactions are not supported by this server; use a batch Bundle',
    );
  }
  if (bundle.type !== 'batch')
    return errorAnswer(400, 'invalid', `Bundle type ${bundle.type} cannot be posted; use batch`);
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_BATCH_ENTRIES)
    return errorAnswer(413, 'too-costly', `A batch may carry at most ${MAX_BATCH_ENTRIES} entries`);
  const responses: BundleEntry[] = [];
  for (const entry of entries) responses.push(await processEntry(entry, handle));
  const response: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: responses };
  return { status: 200, body: response, headers: {} };
}

async function processEntry(
  entry: BundleEntry,
  handle: (call: FhirCall) => Promise<FhirAnswer>,
): Promise<BundleEntry> {
  const call = entryCall(entry);
  const answer = typeof call === 'string' ? errorAnswer(400, 'invalid', call) : await handle(call);
  const response: NonNullable<BundleEntry['response']> = { status: statusLine(answer.status) };
  if (answer.headers.location) response.location = answer.headers.location;
  if (answer.headers.etag) response.etag = answer.headers.etag;
  if (answer.body.meta?.lastUpdated) response.lastModified = answer.body.meta.lastUpdated;
  if (answer.status >= 400) return { response: { ...response, outcome: answer.body } };
  return { resource: answer.body, response };
}

function entryCall(entry: BundleEntry): FhirCall | string {
  const request = entry.request;
  if (!request?.method || request.method === 'HEAD' || !METHODS.has(request.method) || !request.url)
    return 'Each batch entry needs request.method (GET, POST, PUT, PATCH, DELETE) and request.url';
  const url = new URL(request.url.replace(/^\/+/, ''), 'http://batch.invalid/');
  let path: string[];
  try {
    path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return "The entry's request.url is not validly percent-encoded";
  }
  return {
    method: request.method,
    path,
    query: url.searchParams,
    body: entry.resource,
    ifNoneExist: request.ifNoneExist,
    ifMatch: request.ifMatch,
  };
}
