import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Claim, ClaimResponse } from 'fhir/r4';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { SandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { all } from './worker-kit.ts';

/** The sandbox stack (EHR of a profile, billing store where it needs one, clearinghouse) after its worker ran. */
export interface RealClaimsStack {
  stack: SandboxStack;
  /** Where the worker writes claims and reads the payer's answers: the billing store, else the EHR. */
  billing: FhirGateway;
  /** The claim the worker wrote for a seeded encounter. */
  claimOf(encounterId: string): Promise<Claim & { id: string }>;
  /** The 837P file the clearinghouse took in for that claim (CLM01 = its control number). */
  sent837(claim: Claim): Promise<string>;
  /** The payer's answer (from the 835) to that claim. */
  answerTo(claim: Claim & { id: string }): Promise<ClaimResponse | undefined>;
  close(): Promise<void>;
}

async function gatewayOf(server: SandboxEhr): Promise<FhirGateway> {
  const token = await server.issueSystemToken('system/*.cruds');
  return createFhirGateway({
    baseUrl: server.fhirBase,
    getToken: () => Promise.resolve(token),
    retry: { attempts: 2, baseDelayMs: 10 },
  });
}

/** The 837P files in the clearinghouse's `/send` and `/send/processed`, by file name. */
async function claimFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const folder of ['send', 'send/processed']) {
    const names = await readdir(join(root, folder)).catch(() => []);
    for (const name of names.filter((n) => n.endsWith('.837')))
      files.set(name, await readFile(join(root, folder, name), 'utf8'));
  }
  return files;
}

/**
 * Starts the sandbox stack as `npm start` does (Sandbox Mutual's members seeded, reached through
 * the sandbox clearinghouse), runs the worker once, waits until the clearinghouse has answered
 * every 837P it took in (999, 277CA, 835), and runs the worker again so it reads the answers.
 */
export async function startRealClaimsStack(profile?: SandboxEhrProfile): Promise<RealClaimsStack> {
  const stack = await startSandboxStack({
    host: '127.0.0.1',
    ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
    logger: createLogger('silent', 'real-claims-test'),
    codes: starterCodeSet(),
    workerSchedule: '*/5 * * * * *',
    startWorker: false,
    history: false,
    ...(profile ? { profile } : {}),
  });
  try {
    const billing = await gatewayOf(stack.billing ?? stack.ehr);
    await stack.worker.tick();
    const root = stack.clearinghouse.sftp.root;
    for (const name of (await claimFiles(root)).keys()) await stack.clearinghouse.answered(name);
    await stack.worker.tick();
    const claimOf = async (encounterId: string) => {
      const [claim] = await all<Claim>(billing, 'Claim', {
        identifier: `${SYSTEM.claimId}|enc-${encounterId}`,
      });
      if (!claim?.id) throw new Error(`no claim was written for Encounter/${encounterId}`);
      return claim as Claim & { id: string };
    };
    return {
      stack,
      billing,
      claimOf,
      async sent837(claim) {
        const pcn = claim.identifier?.find((i) => i.system === SYSTEM.patientControlNumber);
        const files = await claimFiles(root);
        const found = [...files.values()].find((text) =>
          text.includes(`CLM*${pcn?.value ?? '?'}*`),
        );
        if (!found)
          throw new Error(`no 837P for ${pcn?.value ?? 'the claim'} reached the clearinghouse`);
        return found;
      },
      async answerTo(claim) {
        const answers = await all<ClaimResponse>(billing, 'ClaimResponse', {
          request: `Claim/${claim.id}`,
        });
        return answers.find((a) => a.outcome !== 'queued') ?? answers[0];
      },
      close: () => stack.close(),
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/** The segments of an X12 text, one string each, without the terminator. */
export function segmentsOf(text: string): string[] {
  return text
    .split('~')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
