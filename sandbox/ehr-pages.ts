import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Encounter, Patient, Practitioner } from 'fhir/r4';
import { z } from 'zod';
import { ehrEncounterPage, ehrListPage, ehrMessagePage } from './ehr-views.ts';
import type { FhirAdapter } from './fhir-adapter.ts';
import { pageCsp } from './html.ts';
import { TTL, type OAuthState } from './oauth-state.ts';
import { clientOrigins, type SandboxClient } from './sandbox-client.ts';
import type { SandboxUrls } from './sandbox-urls.ts';
import { EHR_CSS, SMART_STYLE } from './ehr-style.ts';

export interface EhrPagesDeps {
  adapter: FhirAdapter;
  clients: readonly SandboxClient[];
  urls: SandboxUrls;
  state: OAuthState;
  now: () => Date;
  defaultUser: string;
}

const idSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) });
const launchQuery = z.object({ client: z.string().optional() });

/**
 * The EHR's own pages at `/ehr`: the patient list with each encounter's "Launch ChartBill" and
 * "Finish encounter", and the encounter page that embeds the app in an iframe with a fresh
 * launch id (SMART App Launch 2.2 §2.0.2, EHR launch). Server-rendered, escaped, under a CSP
 * that only allows framing the registered apps' origins.
 */
export function registerEhrPages(app: FastifyInstance, deps: EhrPagesDeps): void {
  const origins = clientOrigins(deps.clients);
  const send = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply
      .code(status)
      .header('content-security-policy', pageCsp({ frameSrc: origins }))
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);

  app.get('/ehr/ehr.css', (_req, reply) => reply.type('text/css; charset=utf-8').send(EHR_CSS));
  app.get('/ehr/smart-style.json', (_req, reply) => reply.send(SMART_STYLE));

  app.get('/ehr', async (_req, reply) => {
    const [patients, encounters, practitioners] = await Promise.all([
      all<Patient>(deps.adapter, 'Patient'),
      all<Encounter>(deps.adapter, 'Encounter'),
      all<Practitioner>(deps.adapter, 'Practitioner'),
    ]);
    return send(
      reply,
      200,
      ehrListPage({
        patients,
        encounters,
        practitioners,
        canLaunch: deps.clients.some((c) => c.launchUrl),
        ...billingLink(deps),
      }),
    );
  });

  app.get('/ehr/encounter/:id', async (request, reply) => {
    const params = idSchema.safeParse(request.params);
    const query = launchQuery.safeParse(request.query);
    if (!params.success || !query.success)
      return send(reply, 400, ehrMessagePage('Bad request', 'The encounter link is malformed.'));
    const client = deps.clients.find(
      (c) => c.launchUrl && (query.data.client === undefined || c.clientId === query.data.client),
    );
    if (!client?.launchUrl)
      return send(
        reply,
        400,
        ehrMessagePage(
          'No app to launch',
          'No registered app with a launch URL matches this request.',
        ),
      );
    const encounter = await read<Encounter>(deps.adapter, 'Encounter', params.data.id);
    const patientId = encounter?.subject?.reference?.replace(/^Patient\//, '');
    const patient = patientId ? await read<Patient>(deps.adapter, 'Patient', patientId) : undefined;
    if (!encounter || !patient?.id)
      return send(
        reply,
        404,
        ehrMessagePage('Encounter not found', 'This encounter does not exist.'),
      );
    const practitioner = encounter.participant?.find((p) =>
      p.individual?.reference?.startsWith('Practitioner/'),
    )?.individual?.reference;
    const launch = deps.state.launches.put(
      {
        patient: patient.id,
        encounter: params.data.id,
        fhirUser: practitioner ?? deps.defaultUser,
      },
      TTL.launch,
    );
    const src = new URL(client.launchUrl);
    src.searchParams.set('iss', deps.urls.fhirBase);
    src.searchParams.set('launch', launch);
    return send(
      reply,
      200,
      ehrEncounterPage({ patient, encounter, appName: client.name, appUrl: src.toString() }),
    );
  });

  app.post('/ehr/encounter/:id/finish', async (request, reply) => {
    const params = idSchema.safeParse(request.params);
    // A cross-site form must not finish encounters: browsers send Origin on POST.
    const origin = request.headers.origin;
    if (!params.success || (origin !== undefined && origin !== deps.urls.origin))
      return send(reply, 403, ehrMessagePage('Refused', 'This request did not come from the EHR.'));
    const encounter = await read<Encounter>(deps.adapter, 'Encounter', params.data.id);
    if (!encounter)
      return send(
        reply,
        404,
        ehrMessagePage('Encounter not found', 'This encounter does not exist.'),
      );
    if (encounter.status === 'finished') return reply.redirect('/ehr', 303);
    const finished: Encounter = {
      ...encounter,
      status: 'finished',
      period: { ...encounter.period, end: deps.now().toISOString() },
    };
    const answer = await deps.adapter.handle({
      method: 'PUT',
      path: ['Encounter', params.data.id],
      query: new URLSearchParams(),
      body: finished,
    });
    if (answer.status >= 300)
      return send(
        reply,
        500,
        ehrMessagePage('Could not finish the encounter', 'The FHIR server refused the update.'),
      );
    request.log.info({ encounter: `Encounter/${params.data.id}` }, 'encounter finished');
    return reply.redirect('/ehr', 303);
  });
}

/**
 * The "Billing" link (issue 17): ChartBill's billing workspace starts with a standalone launch at
 * `/billing/launch` beside the app's EHR launch URL, naming this EHR as `iss`.
 */
function billingLink(deps: EhrPagesDeps): { billingUrl?: string } {
  const app = deps.clients.find((c) => c.launchUrl);
  if (!app?.launchUrl) return {};
  const url = new URL('/billing/launch', app.launchUrl);
  url.searchParams.set('iss', deps.urls.fhirBase);
  return { billingUrl: url.toString() };
}

async function all<T>(adapter: FhirAdapter, resourceType: string): Promise<T[]> {
  const bundle = await adapter.repo.search({ resourceType, count: 1000 } as never);
  return (bundle.entry ?? []).map((e) => e.resource as unknown as T);
}

async function read<T>(
  adapter: FhirAdapter,
  resourceType: string,
  id: string,
): Promise<T | undefined> {
  return adapter.repo.readResource(resourceType, id).then(
    (r) => r as unknown as T,
    () => undefined,
  );
}
