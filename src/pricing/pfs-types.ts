/**
 * Medicare Physician Fee Schedule data as ChartBill holds it, read from the CMS RVU files
 * (PPRRVU<year>, GPCI<year>, <yy>LOCCO). Browser-safe types.
 */

/** One row of the PPRRVU file: a code, or a code with its 26/TC (or 53) modifier. */
export interface RvuRow {
  code: string;
  /** `''` for the global service, `26`, `TC` or `53`. */
  modifier: string;
  /** PFS status code: A active, R restricted, T paid only alone, C carrier priced, B bundled, I not valid… */
  status: string;
  workRvu: number;
  nonFacilityPeRvu: number;
  /** True when the file marks the non-facility PE RVU "NA" (not paid in that setting). */
  nonFacilityNa: boolean;
  facilityPeRvu: number;
  facilityNa: boolean;
  mpRvu: number;
  pcTc: string;
  globalDays: string;
  bilateral: string;
  conversionFactor: number;
}

/** One Medicare payment locality with its geographic practice cost indices. */
export interface GpciRow {
  /** Medicare Administrative Contractor number, five digits (`10112`). */
  mac: string;
  state: string;
  /** Locality number, two digits (`00`). */
  locality: string;
  name: string;
  work: number;
  pe: number;
  mp: number;
}

/** Which counties a locality covers (25LOCCO). */
export interface LocalityCounties {
  mac: string;
  locality: string;
  state: string;
  area: string;
  counties: string;
}
