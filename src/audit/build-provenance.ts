import type { Provenance, Resource } from 'fhir/r4';
import type { AuditActor } from './audit-actor.ts';

const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
const PROVENANCE_AGENT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';

/**
 * The Provenance of one write (FHIR R4 provenance.html): `target` the exact version written
 * (`Type/id/_history/vid`, as R4 asks: "usually version specific"), the activity (v3
 * DataOperation CREATE/UPDATE), `recorded` the time of the write, and the agents: the
 * practitioner as author with ChartBill app as the assembling software, or the worker Device
 * as author (it assembles claims on the practice's behalf).
 */
export function buildProvenance(
  written: Resource,
  operation: 'create' | 'update',
  actor: AuditActor,
  recorded: Date,
): Provenance | undefined {
  if (!written.id) return undefined;
  const vid = written.meta?.versionId;
  const target = `${written.resourceType}/${written.id}${vid ? `/_history/${vid}` : ''}`;
  const agent: Provenance['agent'] = [
    {
      type: { coding: [{ system: PROVENANCE_AGENT, code: 'author', display: 'Author' }] },
      who: actor.who,
    },
  ];
  if (actor.part === 'app')
    agent.push({
      type: { coding: [{ system: PROVENANCE_AGENT, code: 'assembler', display: 'Assembler' }] },
      who: actor.client,
    });
  return {
    resourceType: 'Provenance',
    target: [{ reference: target }],
    recorded: recorded.toISOString(),
    occurredDateTime: recorded.toISOString(),
    activity: {
      coding: [
        {
          system: DATA_OPERATION,
          code: operation === 'create' ? 'CREATE' : 'UPDATE',
          display: operation,
        },
      ],
    },
    agent,
  };
}
