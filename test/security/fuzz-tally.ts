import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import type { PayerAudit } from '../../sandbox/payer-server.ts';
import { all } from '../worker/worker-kit.ts';
import type { FuzzBatch } from './fuzz-encounters.ts';

export interface FuzzTally {
  /** Odd encounters held with the expected work item, naming every odd record. */
  held: number;
  /** Good encounters the payer paid. */
  paid: number;
  /** Odd encounters whose claim the payer adjudicated: must be 0. */
  wronglyPaid: number;
  /** What went wrong, one line per encounter (empty when all is well). */
  problems: string[];
}

/** Reads back what the worker did with a fuzz batch and its good encounters. */
export async function tallyFuzz(
  fhir: FhirGateway,
  audit: PayerAudit,
  batch: FuzzBatch,
  good: readonly string[],
): Promise<FuzzTally> {
  const [tasks, claims, answers] = await Promise.all([
    all<Task>(fhir, 'Task'),
    all<Claim>(fhir, 'Claim'),
    all<ClaimResponse>(fhir, 'ClaimResponse'),
  ]);
  const tasksOf = groupBy(tasks, (t) => t.focus?.reference);
  const claimOf = new Map(claims.map((c) => [c.identifier?.[0]?.value ?? '', c]));
  const answerOf = new Map(answers.map((a) => [a.request?.reference ?? '', a]));
  const tally: FuzzTally = { held: 0, paid: 0, wronglyPaid: 0, problems: [] };
  for (const odd of batch.odd) {
    const mine = tasksOf.get(`Encounter/${odd.encounterId}`) ?? [];
    const description = mine.map((t) => t.description ?? '').join('\n');
    const codes = mine.map((t) => t.code?.coding?.[0]?.code);
    const unnamed = odd.mentions.filter((m) => !description.includes(m));
    if (audit.adjudicated[`${SYSTEM.claimId}|enc-${odd.encounterId}`]) {
      tally.wronglyPaid++;
      tally.problems.push(`${odd.encounterId} (${odd.family}): went to the payer`);
    } else if (codes.length === 1 && codes[0] === odd.expect && unnamed.length === 0) {
      tally.held++;
    } else {
      tally.problems.push(
        `${odd.encounterId} (${odd.family}): work items [${codes.join(', ')}], expected ${odd.expect}; not named: ${unnamed.join(' / ')}; said: ${description.slice(0, 300)}`,
      );
    }
  }
  for (const id of good) {
    const claim = claimOf.get(`enc-${id}`);
    const answer = claim?.id ? answerOf.get(`Claim/${claim.id}`) : undefined;
    if (answer?.outcome === 'complete' && (answer.payment?.amount.value ?? 0) > 0) tally.paid++;
    else
      tally.problems.push(
        `${id} (good): ${answer ? `answered ${answer.outcome}` : claim ? `claim ${claim.status}` : 'no claim'}; work items: ${(tasksOf.get(`Encounter/${id}`) ?? []).map((t) => t.description).join(' | ')}`,
      );
  }
  return tally;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}
