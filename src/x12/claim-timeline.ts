import type { ClaimResponse, ClaimResponseError, Identifier } from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { identifierQuery } from '../fhir/identifier-query.ts';
import { writerTag } from '../fhir/systems.ts';
import type { Claim837Input } from './claim-837-input.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** One step of a claim's way through the clearinghouse, for the chart's timeline. */
export interface ClaimEvent {
  /** YYYY-MM-DD */
  date: string;
  /** `Accepted by clearinghouse`, `Rejected by payer`, … */
  label: string;
  /** The codes in words (STC, 999 IK3/IK4), so billing staff need no code list. */
  detail: string;
  /** A rejection: the claim's answer becomes `error` with these codes. */
  rejected?: { codes: ClaimResponseError[] };
}

/** The identifier of the ClaimResponse that follows a claim sent as an 837P (CLM01). */
export function x12ClaimIdentifier(claimNumber: string): Identifier {
  return { system: X12_SYSTEM.x12Claim, value: claimNumber };
}

/** The identifier naming the claim's interchange (ISA13 = GS06), as a 999 or TA1 refers to it. */
export function interchangeIdentifier(control: number): Identifier {
  return { system: X12_SYSTEM.interchange, value: String(control) };
}

/**
 * The answer to an 837P handed to the clearinghouse: `queued` (the payer's answer comes later,
 * in files), identified by CLM01 and the interchange control number so the 999, 277CA and 276
 * answers find it, and saying where the file went.
 */
export function queuedClaimResponse(
  input: Pick<Claim837Input, 'claim' | 'payer'>,
  claimNumber: string,
  control: number,
  file: string,
  now: Date,
): ClaimResponse {
  return {
    resourceType: 'ClaimResponse',
    identifier: [x12ClaimIdentifier(claimNumber), interchangeIdentifier(control)],
    status: 'active',
    type: input.claim.type,
    use: 'claim',
    patient: input.claim.patient,
    created: now.toISOString(),
    insurer: input.claim.insurer ?? { display: input.payer?.name ?? 'payer' },
    request: { reference: `Claim/${input.claim.id ?? ''}` },
    outcome: 'queued',
    disposition: `Sent to the clearinghouse as 837P file ${file} (interchange ${String(control)}); the payer's answer comes back in files.`,
  };
}

/**
 * The ClaimResponse of a claim not sent yet because the clearinghouse keeps rejecting its
 * interchanges (TA1; src/x12/interchange-guard.ts): queued, with the reason as its disposition.
 */
export function heldClaimResponse(
  input: Pick<Claim837Input, 'claim' | 'payer'>,
  claimNumber: string,
  reason: string,
  now: Date,
): ClaimResponse {
  const queued = queuedClaimResponse(input, claimNumber, 0, '', now);
  return { ...queued, identifier: [x12ClaimIdentifier(claimNumber)], disposition: reason };
}

/** The ClaimResponse that follows a claim sent as an 837P, found by one of its identifiers. */
export async function findX12Response(
  fhir: FhirGateway,
  identifier: Identifier,
): Promise<(ClaimResponse & { id: string }) | undefined> {
  const found = await fhir.searchAll('ClaimResponse', { identifier: token(identifier) }, 5);
  return found.find(
    (r): r is ClaimResponse & { id: string } => r.resourceType === 'ClaimResponse' && !!r.id,
  );
}

function token(identifier: Identifier): string {
  return decodeURIComponent(identifierQuery(identifier).slice('identifier='.length));
}

/**
 * Adds an event to the claim's timeline (a `processNote` of its X12 ClaimResponse, dated by an
 * extension) and, for a rejection, makes the answer `error` with the codes. Idempotent: an event
 * already noted (the same file read twice) changes nothing. A queued answer the 835 has since
 * completed keeps its outcome. Returns the response as stored, or undefined when no claim sent as
 * an 837P has that identifier (the caller keeps the event as unmatched).
 */
export async function noteClaimEvent(
  fhir: FhirGateway,
  identifier: Identifier,
  event: ClaimEvent,
): Promise<(ClaimResponse & { id: string }) | undefined> {
  const response = await findX12Response(fhir, identifier);
  if (!response) return undefined;
  const text = `${event.label} — ${event.detail}`;
  const notes = response.processNote ?? [];
  if (notes.some((n) => n.text === text)) return response;
  const updated: ClaimResponse & { id: string } = {
    ...response,
    meta: { tag: [writerTag('worker')] },
    processNote: [
      ...notes,
      {
        number: notes.length + 1,
        type: 'display',
        text,
        extension: [{ url: X12_SYSTEM.eventDateExtension, valueDate: event.date }],
      },
    ],
    ...(event.rejected && response.outcome === 'queued'
      ? { outcome: 'error', disposition: text, error: event.rejected.codes }
      : {}),
  };
  const version = response.meta?.versionId;
  return {
    ...(await fhir.update(updated, version ? { ifMatchVersion: version } : {})),
    id: response.id,
  };
}
