import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { buildTask, taskIdentifierQuery } from '../pipeline/build-task.ts';

export interface GiveUpInput {
  encounterId: string;
  /** `Patient/123`, when known. */
  patient?: string;
  /** The error code of the last failure (`PAYER_UNAVAILABLE`, …). */
  code: string;
  message: string;
  attempts: number;
  /** When the worker tries again on its own. */
  retryAt: Date;
  now: Date;
}

/** What billing staff (or whoever runs the worker) can do about the last failure. */
const ADVICE: Record<string, string> = {
  PAYER_UNAVAILABLE:
    "The payer (or clearinghouse) did not answer. Check its status page and the worker's connection to it.",
  PAYER_REJECTED:
    'The payer refused the submission. Read its reason above, correct the claim or the encounter in the EHR.',
  FHIR_UNAVAILABLE: 'The EHR did not answer. Check that it is up and reachable from the worker.',
  FHIR_REQUEST_FAILED:
    "The EHR refused a request. Check that the worker's client is still registered and authorized.",
};

/**
 * The work item that says an encounter ran out of retries: what failed, what to do, and that the
 * worker tries again on its own later (or at once with `chartbill worker retry`). Created once
 * per encounter (If-None-Exist), so giving up again after the long wait adds no second Task.
 */
export async function giveUp(billing: FhirGateway, input: GiveUpInput): Promise<void> {
  const advice = ADVICE[input.code] ?? "Check the worker's log for this encounter.";
  const description = [
    `The worker tried to bill this encounter ${String(input.attempts)} times and stopped: ${input.message}`,
    advice,
    `The worker tries again on its own after ${input.retryAt.toISOString()}. Once the cause is fixed, run \`chartbill worker retry Encounter/${input.encounterId}\` to retry now.`,
  ].join('\n');
  const task = buildTask({
    code: 'worker-gave-up',
    description,
    encounterId: input.encounterId,
    now: input.now,
    businessStatus: `last error: ${input.code}`,
    ...(input.patient ? { patient: input.patient } : {}),
  });
  await billing.create(task, {
    ifNoneExist: taskIdentifierQuery(input.encounterId, 'worker-gave-up'),
  });
}
