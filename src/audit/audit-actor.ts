import type { Reference } from 'fhir/r4';

/** Who ChartBill acts for in an audit record or a Provenance. */
export interface AuditActor {
  /** Which part of ChartBill made the request: the source observer of its AuditEvents. */
  part: 'app' | 'worker';
  /**
   * The person or system responsible: the practitioner (the session's `fhirUser`) for the app,
   * the worker itself as a Device for the worker. BALP's requestor; Provenance's author.
   */
  who: Reference;
  /** The software that made the request (BALP's client agent): ChartBill app or worker. */
  client: Reference;
}

const DEVICE_SYSTEM = 'https://chartbill.dev/fhir/identifier/device';

/** The worker as a Device, named by its worker id (host, pid and a random suffix; no PHI). */
export function workerActor(workerId: string): AuditActor {
  const device: Reference = {
    type: 'Device',
    identifier: { system: DEVICE_SYSTEM, value: `worker:${workerId}` },
    display: 'ChartBill worker',
  };
  return { part: 'worker', who: device, client: device };
}

/**
 * The practitioner using the app. `fhirUser` is relative (`Practitioner/1`) or absolute on the
 * EHR (SMART App Launch 2.2 §"Scopes for requesting identity data": a URL); on the EHR's own base
 * it is made relative so that searches by `agent` match.
 */
export function appActor(fhirUser: string | undefined, iss: string, appUrl: string): AuditActor {
  const client: Reference = {
    type: 'Device',
    identifier: { system: DEVICE_SYSTEM, value: `app:${appUrl}` },
    display: 'ChartBill app',
  };
  if (!fhirUser)
    return { part: 'app', who: { display: 'EHR user (the launch named no fhirUser)' }, client };
  const base = iss.replace(/\/+$/, '');
  const relative = fhirUser.startsWith(`${base}/`) ? fhirUser.slice(base.length + 1) : fhirUser;
  const type = /^([A-Z][A-Za-z]+)\//.exec(relative)?.[1];
  return { part: 'app', who: { reference: relative, ...(type ? { type } : {}) }, client };
}

/** How an actor reads in a trail: the reference, the identifier, or the display. */
export function actorName(ref: Reference | undefined): string {
  return ref?.reference ?? ref?.display ?? ref?.identifier?.value ?? 'unknown';
}
