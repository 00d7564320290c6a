import type { Claim, Coverage, Resource, Task } from 'fhir/r4';
import { asVoid, voidIdentifierFor } from '../../../src/claims/replacement-claim.ts';
import { submissionBundle } from '../../../src/claims/submission-bundle.ts';
import { errorMessage } from '../../../src/errors/error-message.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { identifierQuery } from '../../../src/fhir/identifier-query.ts';
import { SYSTEM, writerTag } from '../../../src/fhir/systems.ts';
import type { ClaimWithId, PipelineServices } from '../pipeline-types.ts';
import { findAnswer, payerClaimNumberOf } from './record-answer.ts';
import { storeAnswer } from '../store-answer.ts';

/** Work-item code of a void the billing workspace asked for (src/billing-office/action-tasks.ts). */
const VOID_TASK = 'claim-void';

/**
 * Sends the voids billing staff asked for (issue 17, item 4): each requested `claim-void` Task
 * names a Claim the payer numbered. The void (frequency 8, REF*F8 that number) is written with
 * If-None-Exist on its identifier and the payer is asked before it is sent (a resend after a
 * crash gets the first answer), its answer is stored with `request` → the void, the voided
 * claim becomes `cancelled`, and the Task `completed` with both as output. One try/catch per
 * Task: a void that fails stays requested, with the reason, and is tried on the next tick.
 */
export async function sendVoids(services: PipelineServices): Promise<number> {
  const found = await services.billing.searchAll(
    'Task',
    { code: `${SYSTEM.taskCode}|${VOID_TASK}`, status: 'requested', _count: 50 },
    200,
  );
  let sent = 0;
  for (const task of found.filter((r): r is Task => r.resourceType === 'Task')) {
    try {
      await sendVoid(task, services);
      sent += 1;
    } catch (err) {
      services.log.warn({ task: `Task/${task.id ?? ''}`, err: errorMessage(err) }, 'void not sent');
    }
  }
  return sent;
}

async function sendVoid(task: Task, services: PipelineServices): Promise<void> {
  const { billing, clinical, payer } = services;
  const focus = task.focus?.reference ?? '';
  if (!focus.startsWith('Claim/')) throw new Error('the void Task names no Claim');
  const voided = (await billing.read<Claim>('Claim', focus.slice(6))) as ClaimWithId;
  const answer = await findAnswer(billing, voided);
  // Not the first identifier: an 835's answer lists its ERA key before the payer's number.
  const number = payerClaimNumberOf(answer);
  if (!number) throw new Error('the payer has not numbered the claim to void');
  const { resource: voidClaim } = await billing.create(
    {
      ...asVoid(voided, number),
      meta: { tag: [writerTag('worker')] },
      created: services.now().toISOString(),
    },
    { ifNoneExist: identifierQuery(voidIdentifierFor(voided)) },
  );
  const claim = voidClaim as ClaimWithId;
  const known = await payer.claimStatus(voidIdentifierFor(voided));
  const reply =
    known ?? (await payer.submitClaim(submissionBundle(claim, await supporting(claim, clinical))));
  const { resource: stored } = await storeAnswer(billing, claim, reply);
  if (voided.status !== 'cancelled')
    await billing.update<Claim>(
      { ...voided, status: 'cancelled' },
      voided.meta?.versionId ? { ifMatchVersion: voided.meta.versionId } : {},
    );
  await billing.update<Task>({
    ...task,
    status: 'completed',
    lastModified: services.now().toISOString(),
    businessStatus: { text: stored.disposition ?? 'void accepted' },
    output: [
      { type: { text: 'void claim' }, valueReference: { reference: `Claim/${claim.id}` } },
      {
        type: { text: 'payer answer' },
        valueReference: { reference: `ClaimResponse/${stored.id ?? ''}` },
      },
    ],
  });
  services.log.info({ claim: `Claim/${claim.id}`, voided: focus }, 'claim voided');
}

/** What the payer needs beside the claim: patient, coverage, billing provider, payer, practitioner. */
async function supporting(claim: Claim, clinical: FhirGateway): Promise<Resource[]> {
  const refs = [
    claim.patient.reference,
    claim.insurance[0]?.coverage.reference,
    claim.provider.reference,
    claim.insurer?.reference,
    // The whole care team (rendering 2310B, referring 2310A) and the service facility (2310C).
    ...(claim.careTeam ?? []).map((c) => c.provider.reference),
    claim.facility?.reference,
  ].filter((r): r is string => typeof r === 'string' && r.includes('/'));
  const read = (ref: string) => {
    const [type = '', id = ''] = ref.split('/');
    return clinical.read(type, id).catch(() => undefined);
  };
  const found = (await Promise.all(refs.map(read))).filter((r): r is Resource => r !== undefined);
  // A dependent's subscriber (2010BA): the Patient or RelatedPerson the Coverage names, when
  // not the patient.
  const coverage = found.find((r): r is Coverage => r.resourceType === 'Coverage');
  const subscriber = coverage?.subscriber?.reference;
  if (
    (subscriber?.startsWith('Patient/') || subscriber?.startsWith('RelatedPerson/')) &&
    subscriber !== claim.patient.reference
  ) {
    const person = await read(subscriber);
    if (person) found.push(person);
  }
  return found;
}
