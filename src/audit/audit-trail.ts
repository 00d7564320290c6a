import type { AuditEvent, Provenance } from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { actorName } from './audit-actor.ts';
import { provenanceOf } from './provenance-of.ts';

/** One entry of an encounter's trail: who did which read or write, when, and its Provenance. */
export interface TrailEntry {
  recorded: string;
  /** The requestor: the practitioner, or the worker Device. */
  who: string;
  /** The software that made the request (ChartBill app or worker). */
  via: string;
  /** FHIR interaction: read, search-type, create, update, delete, operation. */
  interaction: string;
  action: string;
  outcome: 'success' | 'failed';
  patient: string | undefined;
  /** The resources involved (versioned for writes). */
  resources: string[];
  /** For writes: the Provenance recorded for each version written. */
  provenance: { target: string; activity: string; authors: string[] }[];
}

const DOMAIN_RESOURCE = '4';
const PATIENT_ROLE = '1';

/**
 * The encounter's audit trail from the audit stores (the EHR, and the billing FHIR server where
 * `CHARTBILL_AUDIT_STORE=auto` put the worker's events beside an EHR that takes none): the AuditEvents naming the encounter
 * (audited-gateway.ts names it on every event about its resources), oldest first, with the
 * Provenance of each version written.
 */
export async function loadAuditTrail(
  stores: FhirGateway | readonly FhirGateway[],
  encounterId: string,
): Promise<TrailEntry[]> {
  const list: readonly FhirGateway[] = Array.isArray(stores) ? stores : [stores as FhirGateway];
  const found = await Promise.all(
    list.map((fhir) =>
      fhir.searchAll('AuditEvent', { entity: `Encounter/${encounterId}`, _count: 200 }, 5000),
    ),
  );
  const events = found.flat() as AuditEvent[];
  events.sort((a, b) => a.recorded.localeCompare(b.recorded));
  const written = [
    ...new Set(
      events
        .filter((e) => e.action === 'C' || e.action === 'U')
        .flatMap((e) => resourcesOf(e).filter((r) => r.includes('/_history/'))),
    ),
  ];
  const provenance = new Map<string, Provenance[]>();
  const kept = await Promise.all(list.map((fhir) => provenanceOf(fhir, written)));
  for (const p of kept.flat())
    for (const t of p.target)
      if (t.reference) provenance.set(t.reference, [...(provenance.get(t.reference) ?? []), p]);
  return events.map((e) => {
    const requestor = e.agent.find((a) => a.requestor);
    const client = e.agent.find((a) => a.type?.coding?.some((c) => c.code === '110153'));
    const resources = resourcesOf(e);
    return {
      recorded: e.recorded,
      who: actorName(requestor?.who),
      via: client?.who?.display ?? actorName(client?.who),
      interaction: e.subtype?.[0]?.code ?? 'unknown',
      action: e.action ?? '?',
      outcome: e.outcome === '0' ? 'success' : 'failed',
      patient: e.entity?.find((x) => x.role?.code === PATIENT_ROLE)?.what?.reference,
      resources,
      provenance: resources.flatMap((r) =>
        (provenance.get(r) ?? []).map((p) => ({
          target: r,
          activity: p.activity?.coding?.[0]?.code ?? '?',
          authors: p.agent.map((a) => actorName(a.who)),
        })),
      ),
    };
  });
}

function resourcesOf(e: AuditEvent): string[] {
  return (e.entity ?? [])
    .filter((x) => x.role?.code === DOMAIN_RESOURCE && x.what?.reference)
    .map((x) => x.what?.reference ?? '');
}

const VERBS: Record<string, string> = {
  read: 'read',
  'search-type': 'searched',
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  operation: 'ran an operation on',
};

/** The trail in words, one line per event (and one per Provenance), oldest first. */
export function formatAuditTrail(encounterId: string, trail: readonly TrailEntry[]): string {
  if (trail.length === 0) return `No audit events name Encounter/${encounterId}.`;
  const lines = [
    `Audit trail of Encounter/${encounterId} (${String(trail.length)} events, oldest first):`,
  ];
  for (const t of trail) {
    const what =
      t.resources
        .filter((r) => r !== `Encounter/${encounterId}` || t.resources.length === 1)
        .join(', ') || 'nothing';
    const failed = t.outcome === 'failed' ? ' (FAILED)' : '';
    lines.push(
      `${t.recorded}  ${t.who}${t.via !== t.who ? ` via ${t.via}` : ''} ${VERBS[t.interaction] ?? t.interaction} ${what}${t.patient ? ` of ${t.patient}` : ''}${failed}`,
    );
    for (const p of t.provenance)
      lines.push(
        `    provenance: ${p.target} ${p.activity.toLowerCase()}d by ${p.authors.join(' with ')}`,
      );
  }
  return lines.join('\n');
}
