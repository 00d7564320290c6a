import { access, constants, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { errorMessage } from '../../src/errors/error-message.ts';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.ts';

/** The EHR's clock against ours, from its `Date` header: token assertions live 5 minutes. */
export function clockCheck(serverDate: string | undefined, now: Date): DoctorCheck {
  const at = serverDate ? Date.parse(serverDate) : NaN;
  if (Number.isNaN(at))
    return warn('Clock', 'skew', 'the EHR sent no Date header', 'Keep this machine on NTP.');
  const skew = Math.round((now.getTime() - at) / 1000);
  const detail = `${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the EHR`;
  if (Math.abs(skew) > 120)
    return fail(
      'Clock',
      'skew',
      detail,
      "Sync this machine's clock (NTP): the EHR refuses assertions and tokens outside its clock window.",
    );
  if (Math.abs(skew) > 10) return warn('Clock', 'skew', detail, "Sync this machine's clock (NTP).");
  return pass('Clock', 'skew', detail);
}

/** HTTPS for a real EHR; plain HTTP only to this machine (the sandbox). */
export function tlsCheck(url: string): DoctorCheck {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return pass('TLS', 'https', url);
  if (['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname))
    return warn(
      'TLS',
      'https',
      `${url} is plain HTTP on this machine`,
      'Fine for the sandbox; a real EHR must be reached over HTTPS.',
    );
  return fail(
    'TLS',
    'https',
    `${url} is plain HTTP`,
    "Use the EHR's https:// FHIR base: tokens and PHI must not cross the network in clear.",
  );
}

/** The billing store: PostgreSQL answers, or the ledger file's folder is writable. */
export async function billingStoreCheck(store: {
  ledgerUrl?: string | undefined;
  ledgerPath: string;
}): Promise<DoctorCheck> {
  if (store.ledgerUrl) {
    const client = new pg.Client({
      connectionString: store.ledgerUrl,
      connectionTimeoutMillis: 10_000,
    });
    try {
      await client.connect();
      await client.query('select 1');
      return pass('Billing store', 'PostgreSQL', `${redactUrl(store.ledgerUrl)} answers`);
    } catch (err) {
      return fail(
        'Billing store',
        'PostgreSQL',
        `${redactUrl(store.ledgerUrl)}: ${errorMessage(err)}`,
        'Check CHARTBILL_LEDGER_URL, that PostgreSQL runs and that the user may create tables.',
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const dir = dirname(resolve(store.ledgerPath));
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return pass('Billing store', 'file', `${resolve(store.ledgerPath)} (one worker)`);
  } catch (err) {
    return fail(
      'Billing store',
      'file',
      `${dir}: ${errorMessage(err)}`,
      'Set CHARTBILL_LEDGER_PATH to a writable place, or CHARTBILL_LEDGER_URL for PostgreSQL.',
    );
  }
}

/** The payer's FHIR endpoint answers with a CapabilityStatement. */
export async function payerCheck(
  payerBase: string | undefined,
  fetchFn: typeof fetch,
): Promise<DoctorCheck> {
  if (!payerBase)
    return fail(
      'Payer',
      'endpoint',
      'CHARTBILL_PAYER_BASE_URL is not set',
      "Set it to the payer's (or clearinghouse's) FHIR base answering Claim/$submit; chartbill sandbox payer runs one to try.",
    );
  try {
    const res = await fetchFn(`${payerBase.replace(/\/+$/, '')}/metadata`, {
      headers: { accept: 'application/fhir+json' },
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as { resourceType?: unknown };
    if (res.ok && body.resourceType === 'CapabilityStatement')
      return pass('Payer', 'endpoint', `${payerBase} answers`);
    return fail(
      'Payer',
      'endpoint',
      `${payerBase}/metadata answered HTTP ${res.status}`,
      'Check CHARTBILL_PAYER_BASE_URL: it must be a FHIR base.',
    );
  } catch (err) {
    return fail(
      'Payer',
      'endpoint',
      `${payerBase}: ${errorMessage(err)}`,
      'Check CHARTBILL_PAYER_BASE_URL and that the payer is reachable from this machine.',
    );
  }
}

/** A connection URL without its password, for printing. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
