import { errorMessage } from '../../src/errors/error-message.ts';
import {
  CLAIM_WRITES,
  CODING_WRITES,
  missingInteractions,
  recordHomes,
  type RecordHomes,
  type RecordHomesConfig,
} from '../../src/fhir/record-homes.ts';
import {
  declaresInclude,
  declaresRevInclude,
  readServerCapabilities,
  supports,
  type ServerCapabilities,
  type TypeInteraction,
} from '../../src/fhir/server-capabilities.ts';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.ts';

const AREA = 'FHIR';

/** The reads and searches ChartBill makes on the EHR whatever holds the coding and claims. */
export const CLINICAL_READS: Readonly<Record<string, readonly TypeInteraction[]>> = {
  Encounter: ['read', 'search-type'],
  Patient: ['read'],
  Coverage: ['search-type'],
  Organization: ['read'],
  Practitioner: ['read'],
  Procedure: ['search-type'],
};

/**
 * Reads the worker makes for some visits only (issue 15; scopes in worker-config.ts): without
 * them ChartBill runs, but those visits cannot be billed, or are checked later, so each warns.
 */
export const VISIT_READS: readonly {
  type: string;
  interaction: TypeInteraction;
  without: string;
  remedy: string;
}[] = [
  {
    type: 'Location',
    interaction: 'read',
    without:
      'visits with a location (Encounter.location) cannot be billed: the claim names where the visit took place (place of service, 837P loop 2310C); booked visits are checked at arrival instead',
    remedy:
      "Ask the EHR vendor to enable Location read for ChartBill's worker (scope system/Location.r).",
  },
  {
    type: 'RelatedPerson',
    interaction: 'read',
    without:
      'dependents whose subscriber is a RelatedPerson (Coverage.subscriber) cannot be billed: the 270 and the 837P must name the subscriber',
    remedy:
      "Ask the EHR vendor to enable RelatedPerson read for ChartBill's worker (scope system/RelatedPerson.r).",
  },
  {
    type: 'Appointment',
    interaction: 'search-type',
    without:
      'eligibility is checked when the patient arrives, not when the visit is booked (CHARTBILL_ELIGIBILITY_AHEAD_DAYS)',
    remedy:
      "Nothing to do if a check at arrival is enough; to check when visits are booked, ask the EHR vendor to enable Appointment search for ChartBill's worker (scope system/Appointment.rs).",
  },
];

/**
 * The CapabilityStatement (FHIR R4 capabilitystatement.html): FHIR version, each interaction
 * ChartBill needs per resource, `_include`/`_revinclude`, conditional create and update, and
 * batch; and, from them, which store will hold the coding and the claims.
 */
export async function capabilityChecks(
  iss: string,
  config: RecordHomesConfig & { notifyUrl?: string | undefined },
  fetchFn: typeof fetch,
): Promise<{ checks: DoctorCheck[]; homes: RecordHomes | undefined; date: string | undefined }> {
  let caps: ServerCapabilities;
  let date: string | undefined;
  try {
    caps = await readServerCapabilities(iss, {
      fetch: async (input, init) => {
        const res = await fetchFn(input, init);
        date = res.headers.get('date') ?? undefined;
        return res;
      },
    });
  } catch (err) {
    return {
      checks: [
        fail(
          AREA,
          'CapabilityStatement',
          errorMessage(err),
          'The EHR must serve its CapabilityStatement at [base]/metadata; ChartBill reads it to know what it may use.',
        ),
      ],
      homes: undefined,
      date,
    };
  }
  const checks: DoctorCheck[] = [
    caps.fhirVersion.startsWith('4.0')
      ? pass(AREA, 'FHIR version', caps.fhirVersion)
      : fail(
          AREA,
          'FHIR version',
          caps.fhirVersion,
          "ChartBill speaks FHIR R4 (4.0.1): use the EHR's R4 endpoint.",
        ),
  ];
  const homes = recordHomes(caps, config);
  const reads = {
    ...CLINICAL_READS,
    ...(homes.coding === 'ehr' ? CODING_WRITES : {}),
    ...(homes.claims === 'ehr' ? CLAIM_WRITES : {}),
  };
  const missing = missingInteractions(caps, reads);
  checks.push(
    missing.length === 0
      ? pass(
          AREA,
          'interactions',
          `every read, search, create and update needed on ${Object.keys(reads).join(', ')}`,
        )
      : fail(
          AREA,
          'interactions',
          `not declared: ${missing.join(', ')}`,
          "Ask the EHR vendor to enable these FHIR APIs for ChartBill's client, or point --iss at an endpoint that has them.",
        ),
  );
  checks.push(...visitReadChecks(caps));
  checks.push(...homeChecks(homes));
  checks.push(...searchChecks(caps), ...writeChecks(caps, homes));
  checks.push(subscriptionCheck(caps, config.notifyUrl));
  return { checks, homes, date };
}

/** One check per `VISIT_READS` entry, named `<Type> <interaction>`: pass when declared, else warn. */
function visitReadChecks(caps: ServerCapabilities): DoctorCheck[] {
  return VISIT_READS.map(({ type, interaction, without, remedy }) => {
    const name = `${type} ${interaction}`;
    return supports(caps, type, interaction)
      ? pass(AREA, name, 'declared')
      : warn(AREA, name, `not declared: ${without}`, remedy);
  });
}

/**
 * FHIR Subscriptions (issue 13, item 10): where the EHR declares them and a notification URL is
 * set, changes wake the worker at once; polling works either way, so their absence only warns.
 */
function subscriptionCheck(caps: ServerCapabilities, notifyUrl: string | undefined): DoctorCheck {
  const declared = (['create', 'update', 'search-type'] as const).every((i) =>
    supports(caps, 'Subscription', i),
  );
  if (!declared)
    return pass(
      AREA,
      'Subscriptions',
      'not declared: the worker polls (backing off while nothing changes)',
    );
  return notifyUrl
    ? pass(AREA, 'Subscriptions', `declared: the EHR will notify ${notifyUrl}`)
    : warn(
        AREA,
        'Subscriptions',
        'declared, but CHARTBILL_WORKER_NOTIFY_URL is not set: the worker polls',
        "Set CHARTBILL_WORKER_NOTIFY_URL to the URL the EHR reaches the worker's /fhir-notify at, and grant the worker system/Subscription.cruds.",
      );
}

/**
 * Where the coding and the claims will live (issue 13, item 4): the EHR when it declares the
 * writes; a billing FHIR server (`CHARTBILL_BILLING_FHIR_BASE_URL`; the coding there as
 * `chooseCodingStore` decides) otherwise. Coding with nowhere to go fails.
 */
function homeChecks(homes: RecordHomes): DoctorCheck[] {
  const [where = '', claims = ''] = homes.reasons;
  // Which store holds each coding type, and why (the app's and the worker's own choice).
  const coding = [where, ...homes.codingReasons].join('; ');
  return [
    homes.coding === 'billing-store'
      ? fail(
          AREA,
          'where the coding lives',
          coding,
          'Set CHARTBILL_BILLING_FHIR_BASE_URL to a FHIR server that takes Condition and ChargeItem writes, for the app and the worker: with CHARTBILL_CODING_STORE=auto (the default) the coding then goes there (README, "Where records live").',
        )
      : pass(AREA, 'where the coding lives', coding),
    homes.claims === 'billing-store'
      ? fail(
          AREA,
          'where the claims live',
          claims,
          'Set CHARTBILL_BILLING_FHIR_BASE_URL to a FHIR server that takes Claim, ClaimResponse, CoverageEligibilityRequest/Response and Task writes.',
        )
      : pass(AREA, 'where the claims live', claims),
    homes.auditRefused
      ? warn(
          AREA,
          'where the AuditEvents go',
          homes.auditReason,
          'Set CHARTBILL_BILLING_FHIR_BASE_URL: with CHARTBILL_AUDIT_STORE=auto (the default) the AuditEvents then go there, in batches; until then those the EHR refuses are kept in the log.',
        )
      : pass(AREA, 'where the AuditEvents go', homes.auditReason),
    homes.appAuditRefused
      ? warn(
          AREA,
          "where the app's AuditEvents go",
          homes.appAuditReason,
          "Register the app as a backend client at the billing FHIR server (`chartbill registration`) and set CHARTBILL_APP_BILLING_CLIENT_ID and CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE (with CHARTBILL_BILLING_FHIR_BASE_URL): with CHARTBILL_AUDIT_STORE=auto the app's AuditEvents then go there; until then those the EHR refuses are kept in the log.",
        )
      : pass(AREA, "where the app's AuditEvents go", homes.appAuditReason),
  ];
}

function searchChecks(caps: ServerCapabilities): DoctorCheck[] {
  const rev = ['ChargeItem:context', 'Condition:encounter'].every((s) =>
    declaresRevInclude(caps, 'Encounter', s),
  );
  const inc = declaresInclude(caps, 'Encounter', 'Encounter:subject');
  return [
    inc
      ? pass(AREA, '_include', 'Encounter:subject declared')
      : warn(
          AREA,
          '_include',
          'not declared for Encounter',
          'Nothing to do: ChartBill reads referenced resources one by one (more requests).',
        ),
    rev
      ? pass(AREA, '_revinclude', 'ChargeItem:context and Condition:encounter declared')
      : warn(
          AREA,
          '_revinclude',
          'not declared for Encounter',
          'Nothing to do: ChartBill searches ChargeItem and Condition by encounter (two more requests per 25 encounters).',
        ),
  ];
}

function writeChecks(caps: ServerCapabilities, homes: RecordHomes): DoctorCheck[] {
  const written = [
    ...(homes.coding === 'ehr' ? Object.keys(CODING_WRITES) : []),
    ...(homes.claims === 'ehr' ? Object.keys(CLAIM_WRITES) : []),
  ];
  const noConditional = written.filter((t) => !caps.types.get(t)?.conditionalCreate);
  const conditionalUpdate = [...caps.types.values()].some((t) => t.conditionalUpdate);
  return [
    noConditional.length === 0
      ? pass(
          AREA,
          'conditional create',
          written.length
            ? `If-None-Exist on ${written.join(', ')}`
            : 'ChartBill writes nothing to the EHR',
        )
      : warn(
          AREA,
          'conditional create',
          `not declared for ${noConditional.join(', ')}`,
          'ChartBill writes with If-None-Exist to stay exactly once; without it a retried create may write a second resource. Keep these records on a billing FHIR server that declares it (CHARTBILL_BILLING_FHIR_BASE_URL).',
        ),
    conditionalUpdate
      ? pass(AREA, 'conditional update', 'declared')
      : pass(AREA, 'conditional update', 'not declared; ChartBill updates by id with If-Match'),
    caps.batch
      ? pass(AREA, 'batch', 'declared')
      : warn(
          AREA,
          'batch',
          'not declared',
          'Nothing to do: ChartBill sends each write on its own (more requests).',
        ),
  ];
}
