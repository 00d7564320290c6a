import type { SettingValues } from '../src/config/read-settings.ts';
import type { RecordHomes } from '../src/fhir/record-homes.ts';
import { requestedScopes } from '../smart-app/smart/app-scopes.ts';
import { appBillingScope } from '../smart-app/coding/coding-store.ts';
import {
  auditStoreBeforeCapabilities,
  BILLING_SCOPE,
  CODING_READ_SCOPE,
  workerEhrScope,
} from '../worker/runtime/worker-config.ts';

/** What an EHR admin pastes into the EHR's app registrations, from ChartBill's settings. */
export interface RegistrationSheet {
  smartVersion: string;
  app: {
    /** One per EHR in CHARTBILL_EHRS; none when the app is not configured. */
    ehrs: { name: string; audience: string; clientId: string; clientAuth: string }[];
    launchUri: string;
    redirectUri: string;
    /** Where a clinician starts ChartBill outside the EHR (standalone launch; `iss` is the EHR's FHIR base). */
    standaloneUri: string;
    scopes: {
      ehrLaunch: string;
      standaloneLaunch: string;
      smartV1Fallback: string;
      billingWorkspace: string;
      billingWorkspaceV1: string;
    };
  };
  worker: {
    audience: string | undefined;
    clientId: string | undefined;
    tokenEndpointAuth: string;
    jwksUrl: string;
    scopes: string;
    /** Only with a separate billing FHIR server. */
    billing?: { audience: string; clientId: string | undefined; scopes: string };
  };
  /**
   * The app as a backend client of the billing FHIR server, where it reads the worker's claims,
   * writes the coding (`CHARTBILL_CODING_STORE`: where the EHR cannot hold it, as Epic and Oracle
   * Health cannot), the billing workspace's work Tasks (neither takes Task writes from apps) and
   * its AuditEvents (`CHARTBILL_AUDIT_STORE=auto`: where the EHR declares no AuditEvent create).
   */
  appBilling?: { audience: string; clientId: string | undefined; scopes: string };
  /**
   * Which store holds what and why, from the EHR's CapabilityStatement (issue 13, item 4): the
   * same choice the app and the worker make. Absent when the statement was not read.
   */
  records?: string[];
  /** Settings the sheet could not fill in, each saying what it is for. */
  unset: string[];
}

/**
 * SMART App Launch 2.2 (§2.0 EHR launch with PKCE S256; §3 v2 scopes) for the app; SMART Backend
 * Services (client_credentials with private_key_jwt, RFC 7523) for the worker, whose public keys
 * the EHR fetches from its JWKS URL (or holds a copy of, where it cannot fetch).
 */
export function registrationSheet(settings: SettingValues, homes?: RecordHomes): RegistrationSheet {
  const appUrl = (
    settings.CHARTBILL_APP_URL ?? `http://127.0.0.1:${String(settings.CHARTBILL_APP_PORT)}`
  ).replace(/\/+$/, '');
  const fhirBase = settings.CHARTBILL_FHIR_BASE_URL;
  const billingBase = settings.CHARTBILL_BILLING_FHIR_BASE_URL;
  const separate = billingBase !== undefined && billingBase !== fhirBase;
  // Without the EHR's statement, `auto` may pick the billing store: its registration is listed.
  const codingInBilling =
    billingBase !== undefined &&
    (homes ? homes.coding === 'billing-fhir' : settings.CHARTBILL_CODING_STORE !== 'ehr');
  const unset: string[] = [];
  if (!settings.CHARTBILL_APP_URL)
    unset.push('CHARTBILL_APP_URL: the address browsers reach the app at (else 127.0.0.1)');
  if (!settings.CHARTBILL_EHRS) unset.push('CHARTBILL_EHRS: the EHRs the app is registered with');
  if (!fhirBase) unset.push("CHARTBILL_FHIR_BASE_URL: the EHR's FHIR base (the worker's audience)");
  if (!settings.CHARTBILL_CLIENT_ID)
    unset.push('CHARTBILL_CLIENT_ID: the client id the EHR gives the worker');
  if (!settings.CHARTBILL_JWKS_URL)
    unset.push(
      'CHARTBILL_JWKS_URL: the public URL of the worker JWKS (else its health server on ' +
        `${settings.CHARTBILL_WORKER_HOST}, which the EHR may not reach)`,
    );
  return {
    smartVersion: 'SMART App Launch 2.2 (v2 scopes; PKCE S256), SMART Backend Services',
    app: {
      ehrs: (settings.CHARTBILL_EHRS ?? []).map((ehr) => ({
        name: ehr.name ?? ehr.iss,
        audience: ehr.iss,
        clientId: ehr.clientId,
        clientAuth: ehr.clientAuth,
      })),
      launchUri: `${appUrl}/launch`,
      redirectUri: `${appUrl}/callback`,
      standaloneUri: `${appUrl}/standalone?iss=<FHIR base>`,
      scopes: {
        ehrLaunch: requestedScopes('ehr', true),
        standaloneLaunch: requestedScopes('standalone', true),
        smartV1Fallback: requestedScopes('ehr', false),
        billingWorkspace: requestedScopes('billing', true),
        billingWorkspaceV1: requestedScopes('billing', false),
      },
    },
    worker: {
      audience: fhirBase,
      clientId: settings.CHARTBILL_CLIENT_ID,
      tokenEndpointAuth: 'private_key_jwt (client_credentials, RFC 7523)',
      jwksUrl:
        settings.CHARTBILL_JWKS_URL ??
        `http://${settings.CHARTBILL_WORKER_HOST}:${String(settings.CHARTBILL_WORKER_PORT)}/.well-known/jwks.json`,
      // As the worker asks: AuditEvent create only where its AuditEvents go; its FHIR
      // Subscriptions where a notification URL is set (issue 13, item 10).
      scopes:
        settings.CHARTBILL_WORKER_SCOPE ??
        workerEhrScope({
          separateBilling: separate,
          audit: homes?.audit ?? auditStoreBeforeCapabilities(settings.CHARTBILL_AUDIT_STORE),
          notify: Boolean(settings.CHARTBILL_WORKER_NOTIFY_URL),
        }),
      ...(separate
        ? {
            billing: {
              audience: billingBase,
              clientId: settings.CHARTBILL_BILLING_CLIENT_ID ?? settings.CHARTBILL_CLIENT_ID,
              scopes:
                settings.CHARTBILL_BILLING_SCOPE ??
                (codingInBilling ? `${BILLING_SCOPE} ${CODING_READ_SCOPE}` : BILLING_SCOPE),
            },
          }
        : {}),
    },
    // The app reads the worker's claims there, and keeps there what the EHR cannot hold.
    ...(separate || codingInBilling
      ? {
          appBilling: {
            audience: billingBase,
            clientId: settings.CHARTBILL_APP_BILLING_CLIENT_ID,
            scopes: appBillingScope(settings.CHARTBILL_AUDIT_STORE),
          },
        }
      : {}),
    ...(homes ? { records: [...homes.reasons, ...homes.codingReasons] } : {}),
    unset,
  };
}

/** The sheet as text, one field a line, in the order an EHR's registration form asks. */
export function formatRegistrationSheet(sheet: RegistrationSheet): string {
  const { app, worker } = sheet;
  const lines = [
    `SMART version: ${sheet.smartVersion}`,
    '',
    'The app (a SMART on FHIR app clinicians launch from the encounter):',
    `  Launch URI:    ${app.launchUri}`,
    `  Redirect URI:  ${app.redirectUri}`,
    `  Standalone launch: ${app.standaloneUri}`,
    `  Scopes (EHR launch):        ${app.scopes.ehrLaunch}`,
    `  Scopes (standalone launch): ${app.scopes.standaloneLaunch}`,
    `  Scopes (a SMART v1 server): ${app.scopes.smartV1Fallback}`,
    `  Scopes (billing workspace, standalone at /billing/launch): ${app.scopes.billingWorkspace}`,
    `  Scopes (billing workspace, SMART v1): ${app.scopes.billingWorkspaceV1}`,
    ...app.ehrs.map(
      (e) =>
        `  EHR ${e.name}: audience (aud, = iss) ${e.audience}; client id ${e.clientId}; client auth ${e.clientAuth}`,
    ),
    '',
    'The worker (a backend service, no user):',
    `  Audience (FHIR base): ${worker.audience ?? '(CHARTBILL_FHIR_BASE_URL unset)'}`,
    `  Client id:            ${worker.clientId ?? '(given by the EHR; set CHARTBILL_CLIENT_ID)'}`,
    `  Authentication:       ${worker.tokenEndpointAuth}`,
    `  JWKS URL (jwksUri):   ${worker.jwksUrl}`,
    `  Scopes:               ${worker.scopes}`,
    ...(worker.billing
      ? [
          'The worker at the billing FHIR server:',
          `  Audience:  ${worker.billing.audience}`,
          `  Client id: ${worker.billing.clientId ?? '(set CHARTBILL_BILLING_CLIENT_ID)'}`,
          `  Scopes:    ${worker.billing.scopes}`,
        ]
      : []),
  ];
  if (sheet.appBilling)
    lines.push(
      "The app at the billing FHIR server (a backend client: it reads the claims there; the coding the EHR cannot hold, the work Tasks the billing workspace writes and the app's AuditEvents where the EHR takes none live there):",
      `  Audience:  ${sheet.appBilling.audience}`,
      `  Client id: ${sheet.appBilling.clientId ?? '(set CHARTBILL_APP_BILLING_CLIENT_ID)'}`,
      `  Authentication: private_key_jwt (client_credentials, RFC 7523), the key in CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE`,
      `  Scopes:    ${sheet.appBilling.scopes}`,
    );
  lines.push(
    '',
    'Where records live:',
    ...(
      sheet.records ?? [
        "  (the EHR's CapabilityStatement was not read: `chartbill doctor` says where)",
      ]
    ).map((r) => (r.startsWith('  ') ? r : `  ${r}`)),
  );
  if (sheet.unset.length > 0) lines.push('', 'Not set yet:', ...sheet.unset.map((u) => `  - ${u}`));
  return lines.join('\n');
}
