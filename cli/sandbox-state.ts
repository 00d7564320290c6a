import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { AppError } from '../src/errors/app-error.ts';

/** What a running sandbox leaves for `chartbill sandbox token`: where to ask, and the CLI client's key. */
export interface SandboxState {
  fhirBase: string;
  tokenUrl: string;
  clientId: string;
  privateJwk: JWK;
  pid: number;
  /** The billing FHIR store beside an EHR profile that cannot hold the claims (or AuditEvents). */
  billing?: { fhirBase: string; tokenUrl: string } | undefined;
}

const stateSchema = z.object({
  fhirBase: z.string(),
  tokenUrl: z.string(),
  clientId: z.string(),
  privateJwk: z.record(z.string(), z.unknown()),
  pid: z.number(),
  billing: z.object({ fhirBase: z.string(), tokenUrl: z.string() }).optional(),
});

export function sandboxStatePath(dataDir: string): string {
  return join(dataDir, 'sandbox.json');
}

export async function writeSandboxState(dataDir: string, state: SandboxState): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(sandboxStatePath(dataDir), JSON.stringify(state), { mode: 0o600 });
}

export async function removeSandboxState(dataDir: string): Promise<void> {
  await rm(sandboxStatePath(dataDir), { force: true });
}

export async function readSandboxState(dataDir: string): Promise<SandboxState> {
  const text = await readFile(sandboxStatePath(dataDir), 'utf8').catch(() => undefined);
  const parsed = text ? stateSchema.safeParse(JSON.parse(text)) : undefined;
  if (!parsed?.success) {
    throw new AppError('CONFIG_INVALID', 'No running sandbox found.', {
      hint: `Start it with 'npm start' (or 'chartbill sandbox') in this folder first.`,
    });
  }
  return parsed.data;
}
