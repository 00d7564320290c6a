import {
  expectedForClaim,
  type ExpectedPricing,
} from '../../src/pricing/expected-reimbursement.ts';
import { denialNextStep } from '../../src/claims/denial-next-steps.ts';
import type {
  Claim,
  ClaimResponse,
  CoverageEligibilityResponse,
  Encounter,
  FhirResource,
  Task,
} from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import {
  claimResponseSummary,
  type ClaimResponseSummary,
} from '../../src/claims/claim-response-summary.ts';
import {
  appointmentEligibilityIdentifierFor,
  eligibilityIdentifierFor,
} from '../../src/claims/build-eligibility-request.ts';
import {
  bookedAsOf,
  eligibilityAskedFor,
  eligibilityLink,
  type EligibilityVisitKey,
} from '../../src/claims/eligibility-links.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { isReversal } from '../../src/x12/era-to-fhir.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import type {
  ClaimStage,
  ClaimView,
  DenialReason,
  EligibilityView,
  StatusView,
  TaskView,
  TimelineStep,
} from './status-model.ts';

/** Reads the patient's claims, payer answers, eligibility results and open work items. */
export async function loadStatus(
  fhir: FhirGateway,
  patientId: string,
  encounterId: string | undefined,
  pricing?: ExpectedPricing,
): Promise<StatusView> {
  const patient = `Patient/${patientId}`;
  const settle = async (type: string, params: Record<string, string>): Promise<FhirResource[]> => {
    try {
      return await fhir.searchAll(type, { ...params, _count: '100' });
    } catch {
      return []; // a billing store that refuses one search must not blank the whole view
    }
  };
  const [found, responses, found2, tasks] = await Promise.all([
    settle('Claim', { patient }),
    settle('ClaimResponse', { patient }),
    settle('CoverageEligibilityResponse', { patient }),
    settle('Task', { subject: patient }),
  ]);
  const claims = found.filter((r): r is Claim => r.resourceType === 'Claim');
  const eligibility = found2.filter(
    (r): r is CoverageEligibilityResponse => r.resourceType === 'CoverageEligibilityResponse',
  );
  return buildStatus(
    claims,
    responses.filter((r): r is ClaimResponse => r.resourceType === 'ClaimResponse'),
    eligibility,
    tasks.filter((r): r is Task => r.resourceType === 'Task'),
    encounterId,
    pricing,
    await bookedEncounters(fhir, claims, eligibility),
  );
}

/**
 * The encounters whose appointment's eligibility answer may stand for them (`eligibilityLink`):
 * read only when some answer was given at booking, and only for claims with no answer of their
 * own; an encounter that cannot be read just shows no eligibility step.
 */
async function bookedEncounters(
  fhir: FhirGateway,
  claims: Claim[],
  eligibility: CoverageEligibilityResponse[],
): Promise<Encounter[]> {
  const asked = eligibility.map((r) => eligibilityAskedFor(r.request.identifier));
  if (!asked.some((a) => a && 'appointmentId' in a)) return [];
  const own = new Set(asked.flatMap((a) => (a && 'encounterId' in a ? [a.encounterId] : [])));
  const ids = new Set(claims.map(encounterOf).filter((id) => id !== undefined && !own.has(id)));
  const read = await Promise.all(
    [...ids].map((id) => fhir.read<Encounter>('Encounter', id ?? '').catch(() => undefined)),
  );
  return read.filter((e): e is Encounter => e !== undefined);
}

/** Pure: turns the billing resources into timelines, newest first, the launched encounter's first. */
export function buildStatus(
  claims: Claim[],
  responses: ClaimResponse[],
  eligibility: CoverageEligibilityResponse[],
  tasks: Task[],
  encounterId: string | undefined,
  pricing?: ExpectedPricing,
  encounters: Encounter[] = [],
): StatusView {
  const checks = eligibility
    .map(eligibilityView)
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
  const bookedAs = new Map(encounters.map((e) => [e.id ?? '', bookedAsOf(e)] as const));
  const built = claims.map((c) => {
    const mine = responsesFor(c, responses);
    return {
      claim: c,
      mine,
      view: claimView(c, mine[0], checks, bookedAs, pricing, clearinghouseSteps(mine)),
    };
  });
  const views = built.map(({ claim, mine, view }) =>
    view.stage === 'reversed' ? reversedView(claim, mine, view, built) : view,
  );
  views.sort(
    (a, b) =>
      Number(b.encounterId === encounterId) - Number(a.encounterId === encounterId) ||
      (b.serviceDate ?? '').localeCompare(a.serviceDate ?? ''),
  );
  return {
    ...(encounterId ? { encounterId } : {}),
    claims: views,
    tasks: tasks
      .filter((t) => !['completed', 'cancelled', 'entered-in-error'].includes(t.status))
      .map(taskView),
    eligibility: checks,
  };
}

/**
 * A claim the payer reversed (835 CLP02 22) after its replacement went out: the reversal's
 * negated amounts are not a denial. It nets to what was paid less the reversal, names its
 * replacement, and its timeline ends with the replacement's state: the visit's current one.
 */
function reversedView(
  claim: Claim,
  mine: ClaimResponse[],
  view: ClaimView,
  all: { claim: Claim; view: ClaimView }[],
): ClaimView {
  const next = all
    .filter((o) => o.claim.related?.some((r) => r.claim?.reference === `Claim/${claim.id ?? ''}`))
    .sort((a, b) => b.claim.created.localeCompare(a.claim.created))[0];
  const identifier = next?.claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  const name = identifier ? `claim ${identifier}` : 'a new claim';
  const paid = mine.reduce(
    (sum, r) => sum + (r.outcome === 'queued' ? 0 : (r.payment?.amount.value ?? 0)),
    0,
  );
  const reversal = mine[0];
  const steps = [...view.steps];
  const first = mine.find((r) => !isReversal(r) && (r.payment?.amount.value ?? 0) > 0);
  if (first)
    steps.push({
      label: 'Paid',
      state: 'done',
      date: first.payment?.date ?? first.created.slice(0, 10),
    });
  steps.push({
    label: 'Reversed by the payer',
    state: 'done',
    ...(reversal ? { date: reversal.payment?.date ?? reversal.created.slice(0, 10) } : {}),
    detail: `Replaced by ${name}; the payer took back its payment on this claim.`,
  });
  if (next)
    steps.push({
      label: `Replacement ${name}: ${STAGE_WORDS[next.view.stage]}`,
      state:
        next.view.stage === 'paid' ? 'done' : next.view.stage === 'denied' ? 'problem' : 'pending',
    });
  const rest: ClaimView = { ...view };
  // What the payer allowed and the patient owed on this claim were taken back with the payment.
  delete rest.allowed;
  delete rest.patientResponsibility;
  return {
    ...rest,
    paid: Math.round(paid * 100) / 100,
    disposition: `Reversed by the payer; replaced by ${name}.`,
    ...(next?.view.claimId
      ? {
          replacedBy: {
            claimId: next.view.claimId,
            ...(identifier ? { identifier } : {}),
            stage: next.view.stage,
          },
        }
      : {}),
    denialReasons: [],
    steps,
  };
}

/** A replacement's stage in the reversed claim's timeline. */
const STAGE_WORDS: Readonly<Record<ClaimStage, string>> = {
  held: 'held before submission',
  submitted: 'submitted',
  queued: 'waiting for the payer',
  paid: 'paid',
  'partially-paid': 'partially paid',
  denied: 'denied',
  reversed: 'reversed too',
};

/** The claim's answers, newest first. */
function responsesFor(claim: Claim, responses: ClaimResponse[]): ClaimResponse[] {
  const ids = new Set((claim.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`));
  const mine = responses.filter(
    (r) =>
      r.request?.reference === `Claim/${claim.id ?? ''}` ||
      (r.request?.identifier &&
        ids.has(`${r.request.identifier.system ?? ''}|${r.request.identifier.value ?? ''}`)),
  );
  return mine.sort((a, b) =>
    (b.meta?.lastUpdated ?? b.created).localeCompare(a.meta?.lastUpdated ?? a.created),
  );
}

/**
 * The clearinghouse's word on the claim before the payer's answer (issue 15): "Received by
 * clearinghouse (999)", "Accepted by clearinghouse", "Accepted by payer", a 276's answer, …,
 * kept as dated process notes on the claim's X12 answer (src/x12/claim-timeline.ts), oldest first.
 */
function clearinghouseSteps(responses: ClaimResponse[]): TimelineStep[] {
  const steps = responses.flatMap((r) =>
    (r.processNote ?? []).flatMap((note): TimelineStep[] => {
      const date = note.extension?.find((e) => e.url === X12_SYSTEM.eventDateExtension)?.valueDate;
      if (!date || !note.text) return [];
      const [label = note.text, ...rest] = note.text.split(' — ');
      return [
        {
          label,
          state: /^Rejected/.test(label) ? 'problem' : 'done',
          date,
          ...(rest.length ? { detail: rest.join(' — ') } : {}),
        },
      ];
    }),
  );
  return steps.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
}

function encounterOf(claim: Claim): string | undefined {
  const ref = claim.item?.[0]?.encounter?.[0]?.reference;
  if (ref) return ref.replace(/^Encounter\//, '');
  const id = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  return id?.startsWith('enc-') ? id.slice(4) : undefined;
}

function claimView(
  claim: Claim,
  response: ClaimResponse | undefined,
  checks: EligibilityView[],
  bookedAs: ReadonlyMap<string, readonly string[]>,
  pricing?: ExpectedPricing,
  clearinghouse: TimelineStep[] = [],
): ClaimView {
  const expected = pricing ? expectedForClaim(claim, pricing) : undefined;
  const summary = response ? claimResponseSummary(response) : undefined;
  const reasons = response && summary ? denialReasons(response, summary) : [];
  const stage = stageOf(claim, response, summary);
  const encounterId = encounterOf(claim);
  const serviceDate = claim.billablePeriod?.start?.slice(0, 10) ?? claim.item?.[0]?.servicedDate;
  const check = checkFor(checks, {
    ...(encounterId ? { encounterId } : {}),
    bookedAs: (encounterId && bookedAs.get(encounterId)) || [],
    ...(serviceDate ? { dateOfService: serviceDate } : {}),
  });
  const billed = claim.total?.value ?? summary?.billed;
  return {
    claimId: claim.id ?? '',
    ...(encounterId ? { encounterId } : {}),
    ...(serviceDate ? { serviceDate } : {}),
    stage,
    ...(billed !== undefined ? { billed } : {}),
    ...(summary
      ? {
          allowed: summary.allowed,
          paid: summary.paid,
          patientResponsibility: summary.patientResponsibility,
        }
      : {}),
    ...(response?.disposition ? { disposition: response.disposition } : {}),
    ...(expected && expected.lines.some((l) => l.amount !== undefined)
      ? { expected: expected.total, expectedBasis: expected.schedule }
      : {}),
    denialReasons: reasons,
    steps: steps(claim, response, stage, reasons, check, clearinghouse),
  };
}

/**
 * The newest eligibility answer that stands for the claim's visit (`eligibilityLink`): its
 * encounter's own, or the one its appointment got when the visit was booked.
 */
function checkFor(
  checks: EligibilityView[],
  visit: EligibilityVisitKey,
): { check: EligibilityView; booked: boolean } | undefined {
  for (const check of checks) {
    const identifier = check.encounterId
      ? eligibilityIdentifierFor(check.encounterId)
      : check.appointmentId
        ? appointmentEligibilityIdentifierFor(check.appointmentId)
        : undefined;
    const link = eligibilityLink({ identifier, servicedDate: check.servicedDate }, visit);
    if (link) return { check, booked: link === 'booked' };
  }
  return undefined;
}

/** Where the claim stands: held or submitted until the payer answers, then paid, partly paid or denied. */
function stageOf(
  claim: Claim,
  response: ClaimResponse | undefined,
  summary: ClaimResponseSummary | undefined,
): ClaimStage {
  if (!summary) return claim.status === 'draft' ? 'held' : 'submitted';
  if (response && isReversal(response)) return 'reversed';
  switch (summary.outcome) {
    case 'queued':
      return 'queued';
    case 'error':
      return 'denied';
    case 'partial':
      return summary.paid > 0 ? 'partially-paid' : 'denied';
    case 'complete':
      if (summary.denials.length === 0) return 'paid';
      return summary.paid > 0 ? 'partially-paid' : 'denied';
    default:
      return summary.outcome satisfies never;
  }
}

function steps(
  claim: Claim,
  response: ClaimResponse | undefined,
  stage: ClaimStage,
  reasons: DenialReason[],
  linked: { check: EligibilityView; booked: boolean } | undefined,
  clearinghouse: TimelineStep[],
): TimelineStep[] {
  const created = claim.created.slice(0, 10);
  const out: TimelineStep[] = [
    { label: 'Coded', state: 'done', date: claim.billablePeriod?.start?.slice(0, 10) ?? created },
  ];
  if (linked) {
    const { check, booked } = linked;
    const benefits = check.benefits
      .map(
        (b) =>
          `${b.label} ${b.unit === 'USD' ? `$${b.amount.toFixed(2)}` : b.unit === 'percent' ? `${b.amount}%` : b.amount}`,
      )
      .join(', ');
    const answer = check.inforce ? 'in force' : 'not in force';
    out.push({
      label: booked
        ? `Eligibility checked when booked, ${check.date ?? 'date unknown'}: ${answer}`
        : check.inforce
          ? 'Eligibility: coverage in force'
          : 'Eligibility: not in force',
      state: check.inforce ? 'done' : 'problem',
      ...(check.date ? { date: check.date } : {}),
      ...(benefits || check.detail ? { detail: benefits || check.detail } : {}),
    });
  }
  if (stage === 'held') {
    out.push({
      label: 'Held before submission',
      state: 'problem',
      date: created,
      detail: 'See the work items below.',
    });
    return out;
  }
  out.push({ label: 'Submitted to payer', state: 'done', date: created }, ...clearinghouse);
  // Refused at the front door (999, 277CA): the step above says why; nothing was adjudicated.
  if (response?.outcome === 'error' && clearinghouse.some((s) => s.state === 'problem')) return out;
  // The reversed claim's own ending (what it was paid, the reversal, its replacement): reversedView.
  if (stage === 'reversed') return out;
  if (!response || stage === 'queued') {
    out.push({ label: 'Waiting for the payer', state: 'pending' });
    return out;
  }
  const date = response.created.slice(0, 10);
  if (stage === 'denied')
    out.push({
      label: 'Denied',
      state: 'problem',
      date,
      detail: reasons.map((r) => `${r.system} ${r.code}: ${r.text}`).join('; '),
    });
  else
    out.push({
      label: stage === 'paid' ? 'Paid' : 'Partially paid',
      state: stage === 'paid' ? 'done' : 'problem',
      date: response.payment?.date ?? date,
    });
  return out;
}

/** The payer's denial reasons (CARC, from the shared summary) with the remark codes (RARC) it sent. */
function denialReasons(response: ClaimResponse, summary: ClaimResponseSummary): DenialReason[] {
  const carcs: DenialReason[] = summary.denials.map((d) => ({
    code: d.carc,
    system: 'CARC',
    text: d.itemSequence ? `${d.text} (line ${d.itemSequence})` : d.text,
    nextStep: denialNextStep(d.group, d.carc, d.rarc).text,
  }));
  const remarks = new Map<string, DenialReason>();
  const codings = [
    ...(response.item ?? []).flatMap((i) => i.adjudication.flatMap((a) => a.reason?.coding ?? [])),
    ...(response.error ?? []).flatMap((e) => e.code.coding ?? []),
  ];
  for (const c of codings)
    if (c.system === SYSTEM.rarc && c.code)
      remarks.set(c.code, { code: c.code, system: 'RARC', text: c.display ?? '' });
  return [...carcs, ...remarks.values()];
}

function taskView(task: Task): TaskView {
  const ref = task.encounter?.reference ?? task.focus?.reference;
  const encounterId = ref?.startsWith('Encounter/') ? ref.slice('Encounter/'.length) : undefined;
  const due = task.restriction?.period?.end?.slice(0, 10);
  return {
    id: task.id ?? '',
    title: task.code?.text ?? task.code?.coding?.[0]?.display ?? 'Work item',
    description: task.description ?? '',
    status: task.status,
    ...(due ? { dueDate: due } : {}),
    ...(encounterId ? { encounterId } : {}),
  };
}

type Benefit = EligibilityView['benefits'][number];

const BENEFIT_LABELS: Record<string, string> = {
  copay: 'Copay',
  'copay-percent': 'Coinsurance',
  deductible: 'Deductible',
  benefit: 'Benefit',
  visit: 'Visits',
};

function eligibilityView(r: CoverageEligibilityResponse): EligibilityView {
  const inforce = r.insurance?.some((i) => i.inforce === true) ?? false;
  const detail =
    r.disposition ??
    r.error
      ?.map((e) => e.code.text ?? e.code.coding?.[0]?.display)
      .filter(Boolean)
      .join('; ');
  const asked = eligibilityAskedFor(r.request.identifier);
  const benefits = (r.insurance ?? [])
    .flatMap((i) => i.item ?? [])
    .flatMap((item) => item.benefit ?? [])
    .flatMap((b): Benefit[] => {
      // HL7's benefit type where the answer has one (a 271 also codes its EB01 first).
      const code =
        b.type.coding?.find((c) => c.system === SYSTEM.benefitType)?.code ??
        b.type.coding?.[0]?.code ??
        '';
      const label = b.type.text ?? BENEFIT_LABELS[code] ?? code;
      if (b.allowedMoney?.value !== undefined)
        return [{ label, amount: b.allowedMoney.value, unit: 'USD' }];
      if (b.allowedUnsignedInt !== undefined)
        return [
          {
            label,
            amount: b.allowedUnsignedInt,
            unit: code.includes('percent') ? 'percent' : 'count',
          },
        ];
      return [];
    });
  return {
    date: r.created.slice(0, 10),
    inforce,
    benefits,
    ...asked,
    ...(r.servicedDate ? { servicedDate: r.servicedDate } : {}),
    ...(detail ? { detail } : {}),
  };
}
