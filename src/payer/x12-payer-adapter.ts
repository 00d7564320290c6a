import type {
  Bundle,
  Claim,
  ClaimResponse,
  Coverage,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Identifier,
  Organization,
  Patient,
  RelatedPerson,
  Resource,
} from 'fhir/r4';
import { patientControlNumberOfIdentifier } from '../claims/patient-control-number.ts';
import { AppError } from '../errors/app-error.ts';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { idOfReference } from '../fhir/reference-id.ts';
import { writerTag } from '../fhir/systems.ts';
import { build270 } from '../x12/build-270.ts';
import { build276 } from '../x12/build-276.ts';
import type { Claim837Input } from '../x12/claim-837-input.ts';
import { claimInput, claimInputOfBundle } from '../x12/claim-input.ts';
import type { InterchangeGuard } from '../x12/interchange-guard.ts';
import {
  findX12Response,
  heldClaimResponse,
  interchangeIdentifier,
  noteClaimEvent,
  queuedClaimResponse,
  x12ClaimIdentifier,
} from '../x12/claim-timeline.ts';
import { claim837Body, claimNumberOf, isDependent } from '../x12/claim-to-837.ts';
import { eligibilityToFhir } from '../x12/eligibility-to-fhir.ts';
import { claimStatusEvent } from '../x12/status-events.ts';
import { detectTransactionSet, readX12, type X12Document } from '../x12/read-x12.ts';
import type {
  BatchTransport,
  RealTimeTransport,
} from '../x12/transport/clearinghouse-transport.ts';
import type { X12Config } from '../x12/x12-config.ts';
import { X12_SYSTEM } from '../x12/x12-systems.ts';
import type { X12SubmissionStore } from '../x12/x12-submissions.ts';
import { envelope, KIND_837P, serialize } from '../x12/x12-writer.ts';
import type { PayerAdapter } from './payer-adapter.ts';
import type { PayerId } from './payer-ids.ts';

export interface X12PayerAdapterOptions {
  config: X12Config;
  /** Where 837P files go (SFTP at a clearinghouse, a folder otherwise). */
  batch: BatchTransport;
  /** 270/271 and 276/277 in real time (CAQH CORE); without it eligibility cannot be asked. */
  realTime?: RealTimeTransport;
  /** Control numbers per claim, kept beside the ledger (PostgreSQL when the ledger is). */
  submissions: X12SubmissionStore;
  /** The payers reached through this clearinghouse (CHARTBILL_X12_PAYER_IDS). */
  payerIds: readonly PayerId[];
  /** A claim with no answer this long after it went out is asked about with a 276. */
  statusAfterMs: number;
  /** Reads a claim and what it references (for the 276); writes its timeline. Audited. */
  fhir: FhirGateway;
  /**
   * Bounds TA1 re-sends (src/x12/interchange-guard.ts): asked before a file goes out; a claim it
   * holds is answered `queued` with the reason, and no file is sent. None: every claim goes out.
   */
  guard?: InterchangeGuard;
  now?: () => Date;
}

/** The file a claim's 837P travels in: CLM01 and ISA13, so a retry after a crash finds it. */
export function x12FileName(claimNumber: string, control: number): string {
  return `${claimNumber.replace(/[^A-Za-z0-9-]/g, '_')}.${String(control).padStart(9, '0')}.837`;
}

/**
 * A payer reached through an X12 clearinghouse. `submitClaim` writes the 837P (one claim per
 * interchange, control number taken once per claim and kept), names the file from CLM01 and
 * ISA13, asks the clearinghouse's folder whether it is already there (a crash after the upload),
 * uploads it if not, and answers `queued`: the payer's answer comes back as 999, 277CA and 835
 * files (the worker's inbound stage). `claimStatus` says whether the file went out; once the
 * claim has waited `statusAfterMs` without an answer it asks with a 276 in real time, at most
 * once per wait. `checkEligibility` is a 270/271 in real time. A claim an 837P cannot express
 * throws `X12_CLAIM_INCOMPLETE` naming the element, before any control number is taken.
 */
export function createX12PayerAdapter(options: X12PayerAdapterOptions): PayerAdapter {
  const now = options.now ?? (() => new Date());
  const { config, batch, submissions } = options;

  async function submitClaim(bundle: Bundle): Promise<ClaimResponse> {
    const input = claimInputOfBundle(bundle);
    const claimNumber = claimNumberOf(input.claim);
    const at = now();
    const body = claim837Body(input, config, at);
    const verdict = options.guard ? await options.guard.maySend(at) : ({ send: true } as const);
    if (!verdict.send) return notSent(input, claimNumber, verdict.reason, at);
    const { control } = await submissions.take(claimNumber, at);
    const name = x12FileName(claimNumber, control);
    // Exactly once: a file of this name already in the clearinghouse's folder went out before.
    if (!(await batch.exists(name)))
      await batch.upload(name, serialize(envelope(config, KIND_837P, [body], control, at)));
    const queued = queuedClaimResponse(input, claimNumber, control, name, at);
    await notePreviousInterchange(queued, claimNumber, control);
    return queued;
  }

  /**
   * A claim the guard keeps back (after TA1 rejections): no control number taken, no file sent;
   * its answer on file (or a new queued one) says why, so the chart's timeline does too.
   */
  async function notSent(
    input: Claim837Input,
    claimNumber: string,
    reason: string,
    at: Date,
  ): Promise<ClaimResponse> {
    const stored = await findX12Response(options.fhir, x12ClaimIdentifier(claimNumber));
    if (!stored) return heldClaimResponse(input, claimNumber, reason, at);
    if (stored.disposition === reason) return stored;
    const version = stored.meta?.versionId;
    return options.fhir.update<ClaimResponse>(
      { ...stored, meta: { tag: [writerTag('worker')] }, disposition: reason },
      version ? { ifMatchVersion: version } : {},
    );
  }

  /**
   * A claim sent again in a new interchange (its first was rejected whole by a TA1): its answer on
   * file gets the new interchange's number too, so the 999 and TA1 to the new file find it.
   */
  async function notePreviousInterchange(
    queued: ClaimResponse,
    claimNumber: string,
    control: number,
  ): Promise<void> {
    const stored = await findX12Response(options.fhir, x12ClaimIdentifier(claimNumber));
    const interchange = interchangeIdentifier(control);
    if (
      !stored ||
      stored.identifier?.some(
        (i) => i.system === interchange.system && i.value === interchange.value,
      )
    )
      return;
    const version = stored.meta?.versionId;
    await options.fhir.update<ClaimResponse>(
      {
        ...stored,
        meta: { tag: [writerTag('worker')] },
        identifier: [...(stored.identifier ?? []), interchange],
        ...(queued.disposition ? { disposition: queued.disposition } : {}),
      },
      version ? { ifMatchVersion: version } : {},
    );
  }

  async function claimStatus(identifier: Identifier): Promise<ClaimResponse | undefined> {
    // The claim's files, control number and timeline are kept under CLM01, not its identifier.
    const claimNumber = patientControlNumberOfIdentifier(identifier);
    if (!claimNumber) return undefined;
    const sent = await submissions.find(claimNumber);
    if (!sent || !(await batch.exists(x12FileName(claimNumber, sent.control)))) return undefined;
    const stored = await findX12Response(options.fhir, x12ClaimIdentifier(claimNumber));
    const claim = await findClaim(options.fhir, identifier);
    const waited = now().getTime() - Date.parse(sent.askedAt ?? sent.at);
    if (
      options.realTime &&
      claim &&
      waited >= options.statusAfterMs &&
      stored?.outcome === 'queued'
    )
      return ask(claim, claimNumber, options.realTime);
    if (stored) return stored;
    // The file went out but its answer was never written (a crash right after the upload).
    return claim
      ? queuedClaimResponse(
          { claim },
          claimNumber,
          sent.control,
          x12FileName(claimNumber, sent.control),
          new Date(sent.at),
        )
      : undefined;
  }

  /** A 276 in real time; the 277's status goes on the claim's timeline. */
  async function ask(
    claim: Claim & { id: string },
    claimNumber: string,
    realTime: RealTimeTransport,
  ): Promise<ClaimResponse | undefined> {
    const at = now();
    await submissions.markAsked(claimNumber, at);
    const input = await claimInput(options.fhir, claim.id);
    const x12 = build276(input, claimNumber, config, await submissions.next(), at);
    const doc = await readAnswer(await realTime.exchange('X12_276_Request_005010X212', x12));
    if (doc.kind !== 'status')
      throw new AppError('PAYER_REJECTED', `The clearinghouse answered the 276 with a ${doc.kind}`);
    for (const report of doc.reports)
      for (const answer of report.claims) {
        if (answer.patientControlNumber !== claimNumber && answer.trace !== claimNumber) continue;
        const event = claimStatusEvent(answer, report.source, 'Claim status (276/277)');
        await noteClaimEvent(options.fhir, x12ClaimIdentifier(claimNumber), event);
      }
    return findX12Response(options.fhir, x12ClaimIdentifier(claimNumber));
  }

  async function checkEligibility(bundle: Bundle): Promise<CoverageEligibilityResponse> {
    if (!options.realTime)
      throw new AppError(
        'PAYER_UNAVAILABLE',
        'Eligibility with a payer reached through the clearinghouse needs its real-time (CAQH CORE) connection, and none is configured',
        { hint: 'Configure the clearinghouse real-time connection; the worker retries later.' },
      );
    const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    const request = resources[0] as CoverageEligibilityRequest;
    const find = (reference: string | undefined, type: string): Resource | undefined =>
      resources.find((r) => r.resourceType === type && r.id === idOfReference(reference, type));
    const coverage = find(request.insurance?.[0]?.coverage.reference, 'Coverage') as
      Coverage | undefined;
    const patient = find(request.patient.reference, 'Patient') as Patient | undefined;
    const provider = find(request.provider?.reference, 'Organization') as Organization | undefined;
    if (!coverage || !patient || !provider)
      throw new AppError(
        'CLAIM_INVALID',
        'The eligibility request lacks its Coverage, Patient or provider',
      );
    const payer = find(coverage.payor[0]?.reference, 'Organization') as Organization | undefined;
    // A dependent's subscriber (270 2100C): the Patient or RelatedPerson Coverage.subscriber names.
    const subscriber = (find(coverage.subscriber?.reference, 'RelatedPerson') ??
      find(coverage.subscriber?.reference, 'Patient')) as Patient | RelatedPerson | undefined;
    const at = now();
    const x12 = build270(
      {
        coverage,
        patient,
        provider,
        ...(payer ? { payer } : {}),
        ...(subscriber && subscriber.id !== patient.id ? { subscriber } : {}),
        serviceTypes: serviceTypesOf(request),
        date: request.servicedDate ?? at.toISOString().slice(0, 10),
        trace: request.identifier?.[0]?.value?.slice(0, 50) ?? `elig-${at.getTime()}`,
      },
      config,
      await submissions.next(),
      at,
    );
    const doc = await readAnswer(
      await options.realTime.exchange('X12_270_Request_005010X279A1', x12),
    );
    // The answer about the patient: a dependent's is the one of loop 2000D.
    const answers = doc.kind === 'eligibility' ? doc.answers : [];
    const dependent = isDependent(coverage);
    const answer = answers.find((a) => (a.dependent !== undefined) === dependent) ?? answers[0];
    if (!answer)
      throw new AppError('PAYER_REJECTED', `The clearinghouse answered the 270 with a ${doc.kind}`);
    return eligibilityToFhir(answer, {
      request: {
        ...(request.id ? { reference: `CoverageEligibilityRequest/${request.id}` } : {}),
        ...(request.identifier?.[0] ? { identifier: request.identifier[0] } : {}),
      },
      patient: { reference: `Patient/${patient.id ?? ''}` },
      coverage: { reference: `Coverage/${coverage.id ?? ''}` },
      ...(coverage.payor[0] ? { insurer: coverage.payor[0] } : {}),
      created: at.toISOString(),
    });
  }

  return { payerIds: options.payerIds, checkEligibility, submitClaim, claimStatus };
}

/** EQ01: the service types the request names (X12 codes), else 30 (health benefit plan coverage). */
function serviceTypesOf(request: CoverageEligibilityRequest): string[] {
  const codes = (request.item ?? [])
    .flatMap((i) => i.category?.coding ?? [])
    .filter((c) => c.system === X12_SYSTEM.serviceType && c.code)
    .map((c) => c.code ?? '');
  return codes.length > 0 ? [...new Set(codes)] : ['30'];
}

async function readAnswer(text: string): Promise<X12Document> {
  return readX12(text, await detectTransactionSet(text));
}

async function findClaim(
  fhir: FhirGateway,
  identifier: Identifier,
): Promise<(Claim & { id: string }) | undefined> {
  const found = await fhir.searchAll(
    'Claim',
    { identifier: `${identifier.system ?? ''}|${identifier.value ?? ''}` },
    2,
  );
  return found.find((r): r is Claim & { id: string } => r.resourceType === 'Claim' && !!r.id);
}
