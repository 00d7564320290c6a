import type { Encounter, Patient, Practitioner } from 'fhir/r4';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CLAIM_LIMITS, type VisitFacts } from '../../src/coding/coding-model.ts';
import { dataCoverage } from '../../src/codes/data-coverage.ts';
import { hasBlockingErrors, runEdits } from '../../src/edits/run-edits.ts';
import { AppError, isAppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { sessionFhir } from '../session-fhir.ts';
import { capabilityAwareGateway } from '../../src/fhir/capability-aware-gateway.ts';
import {
  createCapabilitiesSource,
  type CapabilitiesSource,
} from '../../src/fhir/server-capabilities.ts';
import type { AppContext } from '../app-context.ts';
import { requestSession } from '../guards/session-first.ts';
import { loadDocumented, suggestionsFrom } from '../coding/documented-suggestions.ts';
import { loadEncounterCoding } from '../coding/encounter-coding.ts';
import { billedState, refuseBilled } from '../coding/billed-state.ts';
import { idempotencyKeyOf } from '../billing/idempotency.ts';
import { buildActionTask, idempotencyIdentifier } from '../../src/billing-office/action-tasks.ts';
import { identifierQuery } from '../../src/fhir/identifier-query.ts';
import { saveCoding } from '../coding/save-coding.ts';
import { plainSaveError, type SavePhase } from '../coding/save-errors.ts';
import type { Restored } from '../coding/save-journal.ts';
import type { Session } from '../session/session-store.ts';
import { missingScopes } from '../smart/app-scopes.ts';
import { loadStatus } from '../status/build-status.ts';

const code = z
  .string()
  .trim()
  .min(1)
  .max(10)
  .regex(/^[A-Za-z0-9.]+$/, 'is not a code');
/** A FHIR id (R4 datatypes §2.24.0.1 id); the save writes only ids it read for the encounter. */
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'is not a FHIR id');
/** A new entry's key (a UUID from the browser); it goes into a search, so only plain characters. */
const entryKey = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'is not an entry key');
// `display` is accepted from older pages but ignored: the stored display comes from the code set.
const diagnosis = z.object({
  code,
  display: z.string().max(300).optional(),
  /** Edits the clinician overrode, each with the reason they recorded. */
  overrides: z
    .array(z.object({ rule: z.string().max(64), reason: z.string().trim().min(1).max(500) }))
    .max(5)
    .optional(),
  conditionId: fhirId.optional(),
  versionId: z.string().max(64).optional(),
});
const line = z.object({
  code,
  system: z.enum(['cpt', 'hcpcs']),
  display: z.string().max(300).optional(),
  units: z.number().int().min(0).max(9999),
  modifiers: z
    .array(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z0-9]{2}$/, 'is not a modifier'),
    )
    .max(8),
  pointers: z.array(z.number().int().min(1).max(99)).max(8),
  /** The E/M documentation for the level (2021 AMA rules): minutes and the three MDM elements. */
  emDocumentation: z
    .object({
      minutes: z.number().int().min(0).max(1440).optional(),
      problems: z.enum(['minimal', 'low', 'moderate', 'high']).optional(),
      data: z.enum(['minimal', 'limited', 'moderate', 'extensive']).optional(),
      risk: z.enum(['minimal', 'low', 'moderate', 'high']).optional(),
    })
    .optional(),
  chargeItemId: fhirId.optional(),
  versionId: z.string().max(64).optional(),
});
const coding = z.object({ diagnoses: z.array(diagnosis).max(40), lines: z.array(line).max(60) });
const saveBody = z.object({
  coding,
  // JSON sends the browser's `undefined` (an entry already saved) as null.
  keys: z
    .object({ diagnoses: z.array(entryKey.nullish()), lines: z.array(entryKey.nullish()) })
    .transform((k) => ({
      diagnoses: k.diagnoses.map((x) => x ?? undefined),
      lines: k.lines.map((x) => x ?? undefined),
    }))
    .optional(),
  signOff: z.boolean().default(false),
  /** The versions the browser's copy was based on (resource id → versionId). */
  seen: z.object({
    conditions: z.record(z.string(), z.string()),
    chargeItems: z.record(z.string(), z.string()),
  }),
});
/** A clinician's words asking billing to correct billed coding (issue 17, item 5). */
const correctionRequestBody = z.object({ text: z.string().trim().min(3).max(2000) });
const searchQuery = z.object({
  q: z.string().max(100).default(''),
  kind: z.enum(['diagnosis', 'service', 'modifier']).default('diagnosis'),
  limit: z.coerce.number().int().min(1).max(50).default(15),
});

/** The encounter's practitioner by name: the reference's display, or the Practitioner read (best effort). */
async function practitionerName(
  fhir: FhirGateway,
  encounter: Encounter | undefined,
): Promise<string | undefined> {
  const individual = encounter?.participant?.find((p) =>
    p.individual?.reference?.startsWith('Practitioner/'),
  )?.individual;
  if (!individual?.reference) return undefined;
  if (individual.display) return individual.display;
  try {
    const p = await fhir.read<Practitioner>(
      'Practitioner',
      individual.reference.slice('Practitioner/'.length),
    );
    const n = p.name?.[0];
    return (
      n?.text ?? [n?.prefix?.join(' '), n?.given?.join(' '), n?.family].filter(Boolean).join(' ')
    );
  } catch {
    return undefined;
  }
}

/** The JSON API the browser UI calls. Every route needs the session handle as a bearer token. */
export function apiRoutes(app: FastifyInstance, ctx: AppContext): void {
  /** Each EHR's CapabilityStatement, read once an hour: conditional create and batch only where declared. */
  const capabilities = new Map<string, CapabilitiesSource>();
  const capabilitiesOf = (iss: string): CapabilitiesSource => {
    let source = capabilities.get(iss);
    if (!source) {
      source = createCapabilitiesSource({ baseUrl: iss });
      capabilities.set(iss, source);
    }
    return source;
  };
  /**
   * The visit facts the edits need (date of service, age, sex) do not change within a session: a
   * cache per instance by session id (any instance rebuilds it), the oldest dropped past 1000.
   */
  const factsBySession = new Map<string, VisitFacts>();
  const rememberFacts = (session: Session, facts: VisitFacts) => {
    if (factsBySession.size >= 1000)
      factsBySession.delete(factsBySession.keys().next().value ?? '');
    factsBySession.set(session.id, facts);
  };

  /** The request's session (from the store, so any instance serves it) and its FHIR gateway. */
  async function sessionOf(req: FastifyRequest): Promise<{ session: Session; fhir: FhirGateway }> {
    const session = await requestSession(req, ctx);
    // An EHR that cannot hold the coding (CHARTBILL_CODING_STORE, coding-store.ts): Condition and
    // ChargeItem live on the billing FHIR server, written as this clinician (Provenance there
    // too), next to the claims; the AuditEvents go where CHARTBILL_AUDIT_STORE puts them.
    const fhir = await sessionFhir(
      ctx,
      session,
      capabilityAwareGateway(
        createFhirGateway({
          baseUrl: session.iss,
          getToken: () => ctx.sessions.accessToken(session),
          retry: { attempts: 3 },
        }),
        capabilitiesOf(session.iss),
      ),
    );
    return { session, fhir };
  }

  function encounterContext(session: Session): { patientId: string; encounterId: string } {
    if (!session.patient || !session.encounter) {
      throw new AppError('SMART_MISSING_LAUNCH', 'This session has no encounter in context.', {
        hint: 'Open ChartBill from an encounter in your EHR.',
      });
    }
    return { patientId: session.patient, encounterId: session.encounter };
  }

  app.get('/api/context', async (req) => {
    const { session, fhir } = await sessionOf(req);
    const [patient, encounter] = await Promise.all([
      session.patient ? fhir.read<Patient>('Patient', session.patient) : undefined,
      session.encounter ? fhir.read<Encounter>('Encounter', session.encounter) : undefined,
    ]);
    const name = patient?.name?.[0];
    const practitioner = await practitionerName(fhir, encounter);
    return {
      patient: patient
        ? {
            id: patient.id,
            name: [name?.given?.join(' '), name?.family].filter(Boolean).join(' '),
            birthDate: patient.birthDate,
            gender: patient.gender,
          }
        : null,
      encounter: encounter
        ? {
            id: encounter.id,
            status: encounter.status,
            date: encounter.period?.start,
            type: encounter.type?.[0]?.text ?? encounter.type?.[0]?.coding?.[0]?.display,
            practitioner,
          }
        : null,
      needPatientBanner: session.needPatientBanner,
      missingScopes: missingScopes(session.scope),
      limits: CLAIM_LIMITS,
    };
  });

  app.get('/api/codes/search', async (req) => {
    await requestSession(req, ctx);
    const q = searchQuery.parse(req.query);
    return { results: ctx.codes.search(q.q, q.kind, q.limit) };
  });

  app.get('/api/coding', async (req) => {
    const { session, fhir } = await sessionOf(req);
    const { patientId, encounterId } = encounterContext(session);
    const [loaded, documented, billed] = await Promise.all([
      loadEncounterCoding(fhir, patientId, encounterId, ctx.editReference),
      loadDocumented(fhir, patientId, encounterId),
      billedState(fhir, patientId, encounterId),
    ]);
    rememberFacts(session, loaded.facts);
    return {
      coding: loaded.coding,
      findings: runEdits(loaded.coding, loaded.facts, ctx.codes, ctx.editReference),
      // The edits that are off or run on data for another date: the panel's footer says so.
      coverage: dataCoverage({
        codes: ctx.codes,
        ncci: ctx.editReference.ncci,
        pfsName: ctx.editReference.indicators ? 'PFS' : undefined,
        dateOfService: loaded.facts.dateOfService,
      }).map((n) => n.message),
      signedOff: loaded.signedOff,
      encounterStatus: loaded.encounter.status,
      // Submitted to the payer: the panel shows the coding as billed, read-only (issue 17, item 5).
      ...(billed ? { billed } : {}),
      suggestions: suggestionsFrom(
        documented.problems,
        documented.procedures,
        loaded.coding,
        ctx.codes,
      ),
    };
  });

  app.post('/api/edits', async (req) => {
    const { session, fhir } = await sessionOf(req);
    const { patientId, encounterId } = encounterContext(session);
    const body = z.object({ coding }).parse(req.body);
    // Runs as the clinician types: no need to read the encounter again for facts already known.
    let facts = factsBySession.get(session.id);
    if (!facts) {
      facts = (await loadEncounterCoding(fhir, patientId, encounterId, ctx.editReference)).facts;
      rememberFacts(session, facts);
    }
    return { findings: runEdits(body.coding, facts, ctx.codes, ctx.editReference) };
  });

  /**
   * Versions a failed save of the session put back, so the clinician's retry is not a conflict
   * (save-coding.ts). Kept by this instance, by session id: a retry served by another instance
   * is told the versions moved and merges, as after another tab's save.
   */
  const restoredBySession = new Map<string, Map<string, Restored>>();
  app.put('/api/coding', async (req) => {
    const { session, fhir } = await sessionOf(req);
    const { patientId, encounterId } = encounterContext(session);
    const body = saveBody.parse(req.body);
    const encounter = `Encounter/${encounterId}`;
    // The EHR's error text stays in the log; the browser is told in plain words (save-errors.ts).
    const plainly = async <T>(phase: SavePhase, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        // Issue codes and paths only: the EHR's diagnostics text may quote the chart.
        const fhirErr = isAppError(err)
          ? err.cause instanceof AppError
            ? err.cause
            : err
          : undefined;
        if (fhirErr?.code.startsWith('FHIR_')) {
          const issues = fhirErr.outcome?.issue.map((i) =>
            [i.code, ...(i.expression ?? [])].join(' '),
          );
          req.log.warn(
            {
              encounter,
              phase,
              code: fhirErr.code,
              status: fhirErr.upstreamStatus ?? fhirErr.status,
              ...(issues ? { issues } : {}),
            },
            'coding save failed',
          );
        }
        throw phase === 'write' ? err : plainSaveError(err, phase);
      }
    };
    // Re-read at save time: the ids the browser names are checked against what the server reads now.
    const [loaded, billed] = await plainly('read', () =>
      Promise.all([
        loadEncounterCoding(fhir, patientId, encounterId, ctx.editReference),
        billedState(fhir, patientId, encounterId),
      ]),
    );
    refuseBilled(billed);
    const findings = runEdits(body.coding, loaded.facts, ctx.codes, ctx.editReference);
    if (body.signOff && hasBlockingErrors(findings)) {
      throw new AppError(
        'EDITS_BLOCK_SIGNOFF',
        'Sign-off is blocked until the errors listed are fixed.',
        { hint: 'Fix each error shown in red, then sign off again.' },
      );
    }
    const onNotUndone = (refs: string[]) =>
      req.log.error({ encounter, notUndone: refs }, 'coding save failed and was not fully undone');
    let restored = restoredBySession.get(session.id);
    if (!restored) {
      if (restoredBySession.size >= 1000)
        restoredBySession.delete(restoredBySession.keys().next().value ?? '');
      restoredBySession.set(session.id, (restored = new Map<string, Restored>()));
    }
    const save = {
      fhir,
      codes: ctx.codes,
      loaded,
      fhirUser: session.fhirUser,
      signOff: body.signOff,
      seen: body.seen,
      onNotUndone,
      restored,
    };
    await plainly('write', () =>
      saveCoding(save, body.coding, body.keys ?? { diagnoses: [], lines: [] }),
    );
    req.log.info(
      {
        encounter,
        diagnoses: body.coding.diagnoses.length,
        lines: body.coding.lines.length,
        signOff: body.signOff,
      },
      'coding saved',
    );
    const after = await plainly('read-back', () =>
      loadEncounterCoding(fhir, patientId, encounterId, ctx.editReference),
    );
    return {
      coding: after.coding,
      findings: runEdits(after.coding, after.facts, ctx.codes, ctx.editReference),
      signedOff: after.signedOff,
      encounterStatus: after.encounter.status,
    };
  });

  app.post('/api/coding/correction-request', async (req) => {
    const { session, fhir } = await sessionOf(req);
    const { patientId, encounterId } = encounterContext(session);
    const body = correctionRequestBody.parse(req.body);
    const billed = await billedState(fhir, patientId, encounterId);
    if (!billed)
      throw new AppError(
        'BILLING_ACTION_NOT_APPLICABLE',
        'This visit was not billed yet: correct the coding here and sign off again.',
      );
    const key = idempotencyKeyOf(req);
    const { resource, created } = await fhir.create(
      buildActionTask({
        kind: 'coding-correction',
        claimId: billed.claimId,
        key,
        patient: `Patient/${patientId}`,
        encounterId,
        requester: session.fhirUser ?? 'unknown',
        now: ctx.now(),
        status: 'requested',
        description: body.text,
      }),
      {
        ifNoneExist: identifierQuery(
          idempotencyIdentifier('coding-correction', billed.claimId, key),
        ),
      },
    );
    req.log.info({ encounter: `Encounter/${encounterId}`, created }, 'coding correction requested');
    return { taskId: resource.id, status: resource.status, repeated: !created };
  });

  app.get('/api/status', async (req) => {
    const { session, fhir } = await sessionOf(req);
    if (!session.patient)
      throw new AppError('SMART_MISSING_LAUNCH', 'This session has no patient in context.', {
        hint: 'Open ChartBill from a patient’s chart.',
      });
    return loadStatus(fhir, session.patient, session.encounter, ctx.editReference.expected);
  });
}
