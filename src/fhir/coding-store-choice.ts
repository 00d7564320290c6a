import { supports, type ServerCapabilities, type TypeInteraction } from './server-capabilities.ts';

/** `CHARTBILL_CODING_STORE`: `auto` (from the EHR's CapabilityStatement), or set explicitly. */
export type CodingStoreSetting = 'auto' | 'ehr' | 'billing';

/** Where the clinician's coding (encounter-diagnosis Condition, ChargeItem) is written and read. */
export interface CodingStoreChoice {
  store: 'ehr' | 'billing';
  /**
   * One line per coding type, for `chartbill doctor`, the registration sheet and the start-up
   * log: "ChargeItem: billing store — the EHR's CapabilityStatement does not declare ChargeItem create".
   */
  reasons: string[];
}

/**
 * What the app and the worker write and update of the coding: Conditions (category
 * encounter-diagnosis) and ChargeItems are created as the clinician codes and updated on each
 * edit and at sign-off.
 */
const CODING_NEEDS: Readonly<Record<'ChargeItem' | 'Condition', readonly TypeInteraction[]>> = {
  ChargeItem: ['create', 'update'],
  Condition: ['create', 'update'],
};

/**
 * Where the coding lives (issue 13, item 4), one function for the app and the worker so that the
 * coding the app saves is where the worker looks. An explicit `ehr` or `billing` wins. `auto`
 * picks the billing FHIR server when one is configured and the EHR's CapabilityStatement does
 * not declare create and update for ChargeItem or for Condition (Epic has no ChargeItem endpoint
 * for apps; Oracle Health creates both but updates neither), the EHR otherwise. Both types go to
 * the same store: a claim's lines point at its diagnoses. The statement cannot say which
 * Condition categories a server accepts (Epic files problem-list items only); where that differs,
 * set `CHARTBILL_CODING_STORE=billing`.
 */
export function chooseCodingStore(
  caps: ServerCapabilities,
  config: { setting: CodingStoreSetting; billingFhirBaseUrl?: string | undefined },
): CodingStoreChoice {
  const lacking = Object.fromEntries(
    Object.entries(CODING_NEEDS).map(([type, needs]) => [
      type,
      needs.filter((i) => !supports(caps, type, i)),
    ]),
  );
  const why = (type: string) => {
    const missing = lacking[type] ?? [];
    if (caps.unknown) return "the EHR's CapabilityStatement could not be read";
    return missing.length
      ? `the EHR's CapabilityStatement does not declare ${type} ${missing.join(' or ')}`
      : `the EHR's CapabilityStatement declares ${type} create and update`;
  };
  const ehrLacks = Object.values(lacking).some((m) => m.length > 0);
  const types = Object.keys(CODING_NEEDS);
  if (config.setting !== 'auto') {
    const store = config.setting;
    return {
      store,
      reasons: types.map(
        (t) => `${t}: ${storeName(store)} — CHARTBILL_CODING_STORE=${store} (${why(t)})`,
      ),
    };
  }
  if (!ehrLacks) return { store: 'ehr', reasons: types.map((t) => `${t}: the EHR — ${why(t)}`) };
  if (!config.billingFhirBaseUrl)
    return {
      store: 'ehr',
      reasons: types.map(
        (t) =>
          `${t}: the EHR — ${why(t)}, but no billing FHIR server is set (CHARTBILL_BILLING_FHIR_BASE_URL)`,
      ),
    };
  return {
    store: 'billing',
    reasons: types.map((t) =>
      (lacking[t] ?? []).length || caps.unknown
        ? `${t}: billing store — ${why(t)}`
        : `${t}: billing store — with ${types.find((o) => (lacking[o] ?? []).length) ?? ''}, which the EHR cannot hold (${why(t)})`,
    ),
  };
}

function storeName(store: 'ehr' | 'billing'): string {
  return store === 'ehr' ? 'the EHR' : 'billing store';
}
