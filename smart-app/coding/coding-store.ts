import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { createBackendAuth } from '../../src/auth/backend-auth.ts';
import { capabilityAwareGateway } from '../../src/fhir/capability-aware-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { chooseCodingStore } from '../../src/fhir/coding-store-choice.ts';
import {
  createCapabilitiesSource,
  readServerCapabilities,
} from '../../src/fhir/server-capabilities.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { CodingStoreSettings } from '../app-config.ts';

/**
 * What the app may do on the billing store (SMART v2 scopes), no more: the coding; reading what
 * the worker wrote there (claims, answers, eligibility, payments); and the work Tasks, which live
 * beside the claims because neither Epic nor Oracle Health lets apps write Task (the billing
 * workspace assigns them and writes its void, appeal, write-off and statement Tasks; a clinician's
 * correction request is one too). Never a delete; who wrote each version (Provenance, AuditEvent),
 * and read back who wrote the claims and Tasks there (Provenance read and search: the claim page's
 * timeline names who submitted and who acted).
 */
export const APP_BILLING_SCOPE = [
  'system/Condition.crus',
  'system/ChargeItem.crus',
  'system/Claim.rs',
  'system/ClaimResponse.rs',
  'system/CoverageEligibilityResponse.rs',
  'system/PaymentReconciliation.rs',
  'system/Task.crus',
  'system/Provenance.crs',
  'system/AuditEvent.c',
].join(' ');

/**
 * The billing FHIR server's gateway for the coding, when the EHR cannot store it (Epic has no
 * ChargeItem endpoint for apps; Oracle Health does not update ChargeItem or Condition): the app
 * authorizes there as its own backend client (SMART Backend Services, `private_key_jwt`), while
 * the clinician's session stays the author of every write (Provenance, AuditEvent).
 */
export async function openCodingStore(
  settings: CodingStoreSettings,
  fetchFn: typeof fetch = fetch,
): Promise<FhirGateway> {
  let privateKey: JWK;
  try {
    privateKey = JSON.parse(await readFile(settings.privateKeyFile, 'utf8')) as JWK;
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: cannot read a private JWK from ${settings.privateKeyFile}`,
      { hint: 'Create one with `chartbill keys`.', cause: err },
    );
  }
  const auth = createBackendAuth({
    tokenUrl: settings.tokenUrl,
    clientId: settings.clientId,
    privateKey,
    scope: APP_BILLING_SCOPE,
    fetch: fetchFn,
  });
  return capabilityAwareGateway(
    createFhirGateway({
      baseUrl: settings.fhirBaseUrl,
      getToken: () => auth.getToken(),
      retry: { attempts: 3 },
    }),
    createCapabilitiesSource({ baseUrl: settings.fhirBaseUrl, fetch: fetchFn }),
  );
}

/** The billing store's gateway when the session's EHR keeps its coding there; undefined: the EHR. */
export type CodingStoreFor = (iss: string) => Promise<FhirGateway | undefined>;

/**
 * Where the app writes each EHR's coding (issue 13, item 4): `CHARTBILL_CODING_STORE=billing`
 * always on the billing store; `auto` as `chooseCodingStore` reads that EHR's CapabilityStatement,
 * the same function the worker calls, so the coding the app saves is where the worker reads it.
 * Read at the first session of each EHR and kept (the worker reads it at its start); a statement
 * that cannot be read fails that request and is read again on the next.
 */
export function codingStoreResolver(
  settings: CodingStoreSettings,
  fetchFn: typeof fetch,
  logger: Logger,
): CodingStoreFor {
  let store: Promise<FhirGateway> | undefined;
  const open = () =>
    (store ??= openCodingStore(settings, fetchFn).catch((err: unknown) => {
      store = undefined;
      throw err;
    }));
  const choices = new Map<string, Promise<'ehr' | 'billing'>>();
  const choose = (iss: string) => {
    let choice = choices.get(iss);
    if (!choice) {
      choice = readServerCapabilities(iss, { fetch: fetchFn }).then(
        (caps) => {
          const made = chooseCodingStore(caps, {
            setting: 'auto',
            billingFhirBaseUrl: settings.fhirBaseUrl,
          });
          logger.info(
            { iss, codingStore: made.store, why: made.reasons },
            'where the coding lives',
          );
          return made.store;
        },
        (err: unknown) => {
          choices.delete(iss);
          throw new AppError(
            'FHIR_UNAVAILABLE',
            "The EHR's CapabilityStatement could not be read, so ChartBill cannot tell where the coding lives.",
            { hint: 'Try again; `chartbill doctor` checks the EHR.', cause: err },
          );
        },
      );
      choices.set(iss, choice);
    }
    return choice;
  };
  return async (iss) => {
    if (settings.setting === 'auto' && (await choose(iss)) === 'ehr') return undefined;
    if (settings.missing?.length)
      throw new AppError(
        'CONFIG_INVALID',
        `ChartBill app configuration is invalid: the EHR cannot hold the coding, so it goes to the billing store:\n${settings.missing.join('\n')}`,
        {
          hint: 'Register the app as a backend client at the billing store (`chartbill registration`).',
        },
      );
    return open();
  };
}
