/**
 * The Medicare Physician Fee Schedule amount of a service in a locality:
 *   payment = [(work RVU × work GPCI) + (PE RVU × PE GPCI) + (MP RVU × MP GPCI)] × CF
 * (42 CFR 414.22 and 414.26; Medicare Claims Processing Manual Ch. 12 §20), with the facility or
 * non-facility PE RVU by place of service, and the 26/TC rows for professional and technical
 * components. Rounded to the cent once, at the end. Pure and browser-safe.
 */
import type { ServiceIndicators } from '../edits/edit-reference.ts';
import { settingOf } from './facility-pos.ts';
import type { GpciRow, RvuRow } from './pfs-types.ts';

export interface PriceRequest {
  code: string;
  modifiers?: readonly string[];
  /** Five-digit MAC and two-digit locality, as GPCI<year>.csv lists them (`10112`, `00`). */
  mac: string;
  locality: string;
  placeOfService: string;
}

export interface PfsPrice {
  ok: true;
  /** Dollars per unit. */
  amount: number;
  setting: 'facility' | 'non-facility';
  component: 'global' | '26' | 'TC';
  rvus: { work: number; pe: number; mp: number };
  gpci: { work: number; pe: number; mp: number };
  conversionFactor: number;
  /** Why the amount may not be what is paid (e.g. PE "NA" in this setting). */
  note?: string;
}

export type PriceResult = PfsPrice | { ok: false; reason: string };

export interface MedicareFeeSchedule {
  /** E.g. `CY2025 PPRRVU2025_Oct`. */
  name: string;
  conversionFactor: number;
  price(request: PriceRequest): PriceResult;
  /** PC/TC and bilateral indicators, for the modifier edits. */
  indicators(code: string): ServiceIndicators | undefined;
  localities(): readonly GpciRow[];
}

const PRICED_STATUS = new Set(['A', 'R', 'T']);
const STATUS_MEANING: Readonly<Record<string, string>> = {
  B: 'bundled into other services (status B)',
  C: 'priced by the MAC, not the national file (status C)',
  E: 'excluded from the PFS by regulation (status E)',
  I: 'not valid for Medicare (status I)',
  J: 'anesthesia service (status J)',
  M: 'a measurement code, not paid (status M)',
  N: 'not covered by Medicare (status N)',
  P: 'bundled or excluded (status P)',
  X: 'not in the PFS by statute (status X)',
};

/** Rounds to cents. */
function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

function componentOf(modifiers: readonly string[]): '26' | 'TC' | 'global' {
  const keys = modifiers.map((m) => m.trim().toUpperCase());
  return keys.includes('26') ? '26' : keys.includes('TC') ? 'TC' : 'global';
}

function priceRow(
  row: RvuRow,
  gpci: GpciRow,
  request: PriceRequest,
  component: PfsPrice['component'],
): PriceResult {
  if (!PRICED_STATUS.has(row.status))
    return {
      ok: false,
      reason: `${request.code} is ${STATUS_MEANING[row.status] ?? `status ${row.status}`}: the PFS gives no national amount`,
    };
  const setting = settingOf(request.placeOfService);
  const na = setting === 'facility' ? row.facilityNa : row.nonFacilityNa;
  // "NA": the service is rarely done in this setting; CMS pays the other setting's PE RVU if it is billed.
  const pe =
    setting === 'facility'
      ? na
        ? row.nonFacilityPeRvu
        : row.facilityPeRvu
      : na
        ? row.facilityPeRvu
        : row.nonFacilityPeRvu;
  const sum = row.workRvu * gpci.work + pe * gpci.pe + row.mpRvu * gpci.mp;
  return {
    ok: true,
    amount: cents(sum * row.conversionFactor),
    setting,
    component,
    rvus: { work: row.workRvu, pe, mp: row.mpRvu },
    gpci: { work: gpci.work, pe: gpci.pe, mp: gpci.mp },
    conversionFactor: row.conversionFactor,
    ...(na
      ? {
          note: `${request.code} is marked NA in the ${setting} setting: priced with the other setting's PE RVU`,
        }
      : {}),
  };
}

/** Indexes RVU and GPCI rows into a fee schedule. */
export function createMedicareFeeSchedule(input: {
  name: string;
  rvus: readonly RvuRow[];
  gpcis: readonly GpciRow[];
}): MedicareFeeSchedule {
  const rows = new Map(input.rvus.map((r) => [`${r.code}|${r.modifier}`, r]));
  const gpcis = new Map(input.gpcis.map((g) => [`${g.mac}|${g.locality}`, g]));
  const conversionFactor = input.rvus[0]?.conversionFactor ?? 0;
  return {
    name: input.name,
    conversionFactor,
    price(request) {
      const gpci = gpcis.get(`${request.mac}|${request.locality}`);
      if (!gpci)
        return {
          ok: false,
          reason: `MAC ${request.mac} has no locality ${request.locality} in the GPCI file`,
        };
      const code = request.code.trim().toUpperCase();
      const component = componentOf(request.modifiers ?? []);
      const row = rows.get(`${code}|${component === 'global' ? '' : component}`);
      if (row) return priceRow(row, gpci, { ...request, code }, component);
      if (component !== 'global' && rows.has(`${code}|`))
        return {
          ok: false,
          reason: `${code} has no ${component} component in the PFS (it is not split into professional and technical parts)`,
        };
      return { ok: false, reason: `${code} is not in the Medicare Physician Fee Schedule` };
    },
    indicators(code) {
      const row = rows.get(`${code.trim().toUpperCase()}|`);
      return row
        ? { pcTc: row.pcTc, bilateral: row.bilateral, globalDays: row.globalDays }
        : undefined;
    },
    localities: () => input.gpcis,
  };
}
