import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Resource } from 'fhir/r4';
import type { AuditActor } from './audit-actor.ts';
import { encounterRefsOf, patientRefOf } from './resource-links.ts';

/** The FHIR RESTful interaction audited (http://hl7.org/fhir/restful-interaction). */
export type Interaction = 'read' | 'search-type' | 'create' | 'update' | 'delete' | 'operation';

/** One interaction with a FHIR server, as the audited gateway saw it. */
export interface InteractionRecord {
  interaction: Interaction;
  /** The server's FHIR base. */
  server: string;
  /** The type read, searched or written. */
  resourceType: string;
  /** The resources read, found or written (written ones with their new version). */
  resources: Resource[];
  /** Patients the request named even when nothing came back (a read that failed, a search by patient). */
  patients?: string[];
  /** Encounters the request named (a search by encounter). */
  encounters?: string[];
  /** A search's query string (references and codes only). */
  query?: string;
  /** Failure: BALP outcome 4 (minor: refused, not found) or 8 (serious: server failure). */
  failed?: 'minor' | 'serious';
  recorded: Date;
}

const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const DICOM = 'http://dicom.nema.org/resources/ontology/DCM';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** The BALP profiles (IHE ITI BALP 1.1, profiles.ihe.net/ITI/BALP) each interaction follows. */
const PROFILE = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.';
const PROFILES: Record<Interaction, string> = {
  read: 'PatientRead',
  'search-type': 'PatientQuery',
  create: 'PatientCreate',
  update: 'PatientUpdate',
  delete: 'PatientDelete',
  operation: 'PatientQuery',
};
const ACTION: Record<Interaction, AuditEvent['action']> = {
  read: 'R',
  'search-type': 'E',
  create: 'C',
  update: 'U',
  delete: 'D',
  operation: 'E',
};

/**
 * The AuditEvents for one interaction, shaped after IHE BALP (Basic Audit Log Patterns): type
 * `rest`, subtype the interaction, action C/R/U/D/E, outcome, agents for the user (requestor),
 * the client (DICOM Source Role ID) and the server (Destination Role ID), ChartBill as the source
 * observer, and entities for the patient, the resources and the query. BALP asks for one event
 * per patient, so a search that returned several patients' data gives one event each; an
 * interaction that touched no patient's data gives none.
 */
export function balpAuditEvents(record: InteractionRecord, actor: AuditActor): AuditEvent[] {
  const byPatient = new Map<string, Resource[]>();
  for (const p of record.patients ?? []) byPatient.set(p, []);
  for (const r of record.resources) {
    const patient = patientRefOf(r);
    if (patient) byPatient.set(patient, [...(byPatient.get(patient) ?? []), r]);
  }
  return [...byPatient].map(([patient, resources]) =>
    auditEvent(record, actor, patient, resources),
  );
}

function auditEvent(
  record: InteractionRecord,
  actor: AuditActor,
  patient: string,
  resources: Resource[],
): AuditEvent {
  const encounters = new Set(record.encounters ?? []);
  const entity: AuditEventEntity[] = [
    {
      what: { reference: patient },
      type: code(ENTITY_TYPE, '1', 'Person'),
      role: code(OBJECT_ROLE, '1', 'Patient'),
    },
  ];
  const named = new Set([patient]);
  const written = record.interaction === 'create' || record.interaction === 'update';
  for (const r of resources) {
    for (const e of encounterRefsOf(r)) encounters.add(e);
    const ref = versionedRef(r, written);
    if (!ref || named.has(ref)) continue;
    named.add(ref);
    entity.push(domainResource(ref));
  }
  for (const e of encounters) if (!named.has(e)) entity.push(domainResource(e));
  if (record.query !== undefined) {
    entity.push({
      type: code(ENTITY_TYPE, '2', 'System Object'),
      role: code(OBJECT_ROLE, '24', 'Query'),
      query: Buffer.from(`${record.resourceType}?${record.query}`).toString('base64'),
    });
  }
  return {
    resourceType: 'AuditEvent',
    meta: { profile: [`${PROFILE}${PROFILES[record.interaction]}`] },
    type: code(AUDIT_EVENT_TYPE, 'rest', 'Restful Operation'),
    subtype: [code(RESTFUL_INTERACTION, record.interaction, record.interaction)],
    action: ACTION[record.interaction],
    recorded: record.recorded.toISOString(),
    outcome: record.failed === 'serious' ? '8' : record.failed === 'minor' ? '4' : '0',
    agent: agents(record, actor),
    source: { observer: actor.client, type: [code(SOURCE_TYPE, '4', 'Application Server')] },
    entity,
  };
}

function agents(record: InteractionRecord, actor: AuditActor): AuditEventAgent[] {
  const writes =
    record.interaction === 'create' ||
    record.interaction === 'update' ||
    record.interaction === 'delete';
  const server: AuditEventAgent = {
    type: { coding: [code(DICOM, '110152', 'Destination Role ID')] },
    who: { display: record.server },
    requestor: false,
    network: { address: record.server, type: '5' },
  };
  if (actor.part === 'worker') {
    // BALP "no user": the client is the requestor.
    return [
      {
        type: { coding: [code(DICOM, '110153', 'Source Role ID')] },
        who: actor.client,
        requestor: true,
      },
      server,
    ];
  }
  const user: AuditEventAgent = {
    type: {
      coding: [
        writes
          ? code(PARTICIPATION, 'AUT', 'author')
          : code(PARTICIPATION, 'IRCP', 'information recipient'),
      ],
    },
    who: actor.who,
    requestor: true,
  };
  return [
    user,
    {
      type: { coding: [code(DICOM, '110153', 'Source Role ID')] },
      who: actor.client,
      requestor: false,
    },
    server,
  ];
}

function domainResource(ref: string): AuditEventEntity {
  return {
    what: { reference: ref },
    type: code(ENTITY_TYPE, '2', 'System Object'),
    role: code(OBJECT_ROLE, '4', 'Domain Resource'),
  };
}

/** `Type/id`, or `Type/id/_history/vid` for a written version. */
export function versionedRef(r: Resource, versioned = false): string | undefined {
  if (!r.id) return undefined;
  const vid = r.meta?.versionId;
  return versioned && vid
    ? `${r.resourceType}/${r.id}/_history/${vid}`
    : `${r.resourceType}/${r.id}`;
}

function code(system: string, value: string, display: string): Coding {
  return { system, code: value, display };
}
