import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { all, claimsOf, tasksOf } from '../worker/worker-kit.ts';

/** The one work item the worker left for an encounter: its code and what it tells staff. */
export async function workItemOf(
  fhir: FhirGateway,
  encounterId: string,
): Promise<{ codes: string[]; description: string }> {
  const tasks = await tasksOf(fhir, encounterId);
  return {
    codes: tasks.map((t: Task) => t.code?.coding?.[0]?.code ?? '?'),
    description: tasks.map((t) => t.description ?? '').join('\n'),
  };
}

/** The payer's answer to the encounter's claim, when one was submitted and answered. */
export async function answerOf(
  fhir: FhirGateway,
  encounterId: string,
): Promise<{ claims: Claim[]; answer: ClaimResponse | undefined }> {
  const claims = await claimsOf(fhir, encounterId);
  const claim = claims[0];
  if (!claim?.id) return { claims, answer: undefined };
  const answers = await all<ClaimResponse>(fhir, 'ClaimResponse', { request: `Claim/${claim.id}` });
  return { claims, answer: answers[0] };
}

/** True when the encounter's claim went out and the payer paid something on it. */
export async function wasPaid(fhir: FhirGateway, encounterId: string): Promise<boolean> {
  const { answer } = await answerOf(fhir, encounterId);
  return answer?.outcome === 'complete' && (answer.payment?.amount.value ?? 0) > 0;
}
