import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import { isAppError } from '../errors/app-error.ts';
import type { FhirGateway, SearchParams } from '../fhir/fhir-gateway.ts';
import type { Logger } from '../log/create-logger.ts';
import type { AuditActor } from './audit-actor.ts';
import type { AuditSink } from './audit-sink.ts';
import { balpAuditEvents, type Interaction, type InteractionRecord } from './balp-audit-event.ts';
import { buildProvenance } from './build-provenance.ts';
import { encounterRefsOf, patientRefOf, refsInQuery } from './resource-links.ts';
import { errorMessage } from '../errors/error-message.ts';

export interface AuditedGatewayDeps {
  actor: AuditActor;
  /** Where the AuditEvents go (buffered; see audit-sink.ts). */
  sink: AuditSink;
  /**
   * Where Provenances go when they are batched (the worker: one request per 200 writes instead of
   * one per write; the sink's store must be this gateway's server). Absent: each is written right
   * after its resource (the app).
   */
  provenanceSink?: AuditSink;
  logger: Logger;
  now?: () => Date;
}

type Extra = Pick<InteractionRecord, 'patients' | 'encounters' | 'query' | 'failed'>;

/**
 * The FHIR gateway with provenance and audit, for the app and the worker alike (a decorator: the
 * code that reads and writes is unchanged):
 * - every write that stores a version is followed by a Provenance naming that version
 *   (`Type/id/_history/vid`) on the same server, its author the practitioner or the worker
 *   Device. Write then Provenance, not one transaction: transactions are optional in FHIR and
 *   the sandbox, like many EHRs, takes only batches; a versioned target ties the Provenance to
 *   the exact write all the same. A server that refuses Provenance gets it in the log instead,
 *   and the write stands;
 * - every read, search and write of patient data becomes BALP AuditEvents in `sink`.
 */
export function auditedGateway(inner: FhirGateway, deps: AuditedGatewayDeps): FhirGateway {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  let provenanceRefused = false;

  /**
   * The encounters of the claims and eligibility requests seen, so that their answers
   * (ClaimResponse.request, CoverageEligibilityResponse.request) are found in the encounter's trail.
   */
  const encountersOfRequest = new Map<string, string[]>();
  function linkedEncounters(resources: Resource[]): string[] {
    const out: string[] = [];
    for (const r of resources) {
      const own = encounterRefsOf(r);
      if (
        r.id &&
        own.length > 0 &&
        (r.resourceType === 'Claim' || r.resourceType === 'CoverageEligibilityRequest')
      ) {
        if (encountersOfRequest.size >= 20_000)
          encountersOfRequest.delete(encountersOfRequest.keys().next().value ?? '');
        encountersOfRequest.set(`${r.resourceType}/${r.id}`, own);
      }
      const request = (r as { request?: { reference?: string } }).request?.reference;
      if (own.length === 0 && request)
        out.push(...(encountersOfRequest.get(request.replace(/\/_history\/.*$/, '')) ?? []));
    }
    return out;
  }

  function audit(
    interaction: Interaction,
    resourceType: string,
    resources: Resource[],
    extra: Extra = {},
  ): void {
    try {
      const linked = linkedEncounters(resources);
      const encounters =
        linked.length > 0 ? { encounters: [...(extra.encounters ?? []), ...linked] } : {};
      const record: InteractionRecord = {
        interaction,
        server: inner.baseUrl,
        resourceType,
        resources,
        recorded: now(),
        ...extra,
        ...encounters,
      };
      deps.sink.record(balpAuditEvents(record, deps.actor));
    } catch (err) {
      // Auditing must never break the work it records; but it must not vanish either.
      log.error(
        { err: errorMessage(err), interaction, resourceType },
        'audit event could not be built',
      );
    }
  }

  /** A full batch is sent in the caller's turn (see AuditSinkDeps.flushBy). */
  async function settle(): Promise<void> {
    if (deps.sink.due()) await deps.sink.flushFull();
    if (deps.provenanceSink?.due()) await deps.provenanceSink.flushFull();
  }

  function failed(err: unknown): Extra['failed'] {
    return isAppError(err) && (err.upstreamStatus ?? err.status) < 500 ? 'minor' : 'serious';
  }

  async function provenance(written: Resource, operation: 'create' | 'update'): Promise<void> {
    const prov = buildProvenance(written, operation, deps.actor, now());
    if (!prov) return;
    const target = prov.target[0]?.reference;
    const toLog = () => {
      log.info(
        {
          provenance: {
            target,
            activity: operation,
            author: deps.actor.who.reference ?? deps.actor.who.identifier?.value,
          },
        },
        'provenance kept in the log',
      );
    };
    if (provenanceRefused) return toLog();
    if (deps.provenanceSink) return deps.provenanceSink.record([prov]);
    try {
      await inner.create(prov);
    } catch (err) {
      const status = isAppError(err) ? (err.upstreamStatus ?? err.status) : undefined;
      if (status === 403 || status === 404 || status === 405 || status === 501) {
        provenanceRefused = true;
        log.warn(
          { server: inner.baseUrl, status },
          'the FHIR server refuses Provenance; provenance goes to the log',
        );
        return toLog();
      }
      // The write itself succeeded: failing the user's save now would invite a second write.
      log.error({ target, status, err: errorMessage(err) }, 'provenance not recorded');
    }
  }

  const queryOf = (params: SearchParams) =>
    new URLSearchParams(
      Object.entries(params).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)]),
      ),
    ).toString();
  const named = (params: SearchParams): Extra => ({
    patients: refsInQuery(params, 'Patient'),
    encounters: refsInQuery(params, 'Encounter'),
    query: queryOf(params),
  });
  const found = (page: Bundle): Resource[] =>
    (page.entry ?? []).flatMap((e) =>
      e.resource && e.resource.resourceType !== 'OperationOutcome' ? [e.resource] : [],
    );

  return {
    baseUrl: inner.baseUrl,
    async read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<T> {
      try {
        const resource = await inner.read<T>(resourceType, id);
        audit('read', resourceType, [resource]);
        await settle();
        return resource;
      } catch (err) {
        audit('read', resourceType, [], {
          patients: resourceType === 'Patient' ? [`Patient/${id}`] : [],
          failed: failed(err),
        });
        throw err;
      }
    },
    async *searchPages(resourceType, params) {
      let extra = named(params);
      try {
        for await (const page of inner.searchPages(resourceType, params)) {
          audit('search-type', resourceType, found(page), extra);
          extra = { query: extra.query };
          await settle();
          yield page;
        }
      } catch (err) {
        audit('search-type', resourceType, [], { ...extra, failed: failed(err) });
        throw err;
      }
    },
    async searchAll(resourceType, params, maxResources) {
      try {
        const all = await inner.searchAll(resourceType, params, maxResources);
        audit('search-type', resourceType, all, named(params));
        await settle();
        return all;
      } catch (err) {
        audit('search-type', resourceType, [], { ...named(params), failed: failed(err) });
        throw err;
      }
    },
    async create(resource, options) {
      try {
        const result = await inner.create(resource, options);
        if (result.created) await provenance(result.resource, 'create');
        audit('create', resource.resourceType, [result.resource]);
        await settle();
        return result;
      } catch (err) {
        audit('create', resource.resourceType, [], {
          patients: patientsOf(resource),
          failed: failed(err),
        });
        throw err;
      }
    },
    async update(resource, options) {
      try {
        const written = await inner.update(resource, options);
        await provenance(written, 'update');
        audit('update', resource.resourceType, [written]);
        await settle();
        return written;
      } catch (err) {
        audit('update', resource.resourceType, [], {
          patients: patientsOf(resource),
          failed: failed(err),
        });
        throw err;
      }
    },
    async batch(bundle) {
      const answer = await inner.batch(bundle);
      for (const [i, entry] of (bundle.entry ?? []).entries())
        await auditEntry(entry, answer.entry?.[i]);
      await settle();
      return answer;
    },
    async operation(path, body) {
      try {
        const answer = await inner.operation(path, body);
        audit('operation', path, [body, answer]);
        return answer;
      } catch (err) {
        audit('operation', path, [body], { failed: failed(err) });
        throw err;
      }
    },
  };

  /** A batch entry as the interaction it stands for; a written entry gets its Provenance. */
  async function auditEntry(entry: BundleEntry, answer: BundleEntry | undefined): Promise<void> {
    const method = entry.request?.method;
    const status = Number(/^\d{3}/.exec(answer?.response?.status ?? '')?.[0] ?? 0);
    const ok = status >= 200 && status < 300;
    const type = entry.resource?.resourceType ?? entry.request?.url.split(/[/?]/)[0] ?? '';
    const outcome: Extra = ok
      ? {}
      : { failed: status >= 500 || status === 0 ? 'serious' : 'minor' };
    if (method === 'GET') {
      const body = answer?.resource as FhirResource | undefined;
      const resources = body?.resourceType === 'Bundle' ? found(body) : body && ok ? [body] : [];
      const query = entry.request?.url.split('?')[1];
      audit(query === undefined ? 'read' : 'search-type', type, resources, {
        ...outcome,
        ...(query === undefined ? {} : { query }),
      });
      return;
    }
    if ((method === 'POST' || method === 'PUT') && entry.resource) {
      const operation = method === 'POST' ? 'create' : 'update';
      if (!ok)
        return audit(operation, type, [], { patients: patientsOf(entry.resource), ...outcome });
      const written = writtenOf(entry.resource, answer);
      if (status === 201 || method === 'PUT') await provenance(written, operation);
      audit(operation, type, [written]);
      return;
    }
    if (method === 'DELETE') audit('delete', type, [], outcome);
  }
}

function patientsOf(resource: Resource): string[] {
  const patient = patientRefOf(resource);
  return patient ? [patient] : [];
}

/** The version a batch entry wrote: the answer's resource, or the request's with the Location's id and version. */
function writtenOf(sent: Resource, answer: BundleEntry | undefined): Resource {
  if (answer?.resource?.id) return answer.resource;
  const m =
    /([A-Za-z]+)\/([^/]+)\/_history\/([^/]+)$/.exec(answer?.response?.location ?? '') ??
    /([A-Za-z]+)\/([^/]+)$/.exec(answer?.response?.location ?? '');
  return m
    ? { ...sent, id: m[2], meta: { ...sent.meta, ...(m[3] ? { versionId: m[3] } : {}) } }
    : sent;
}
