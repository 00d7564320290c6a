/** One line of `chartbill doctor`: what was checked, how it went, and what to do about it. */
export interface DoctorCheck {
  /** The part checked: `SMART`, `FHIR`, `Backend Services`, `Clock`, `TLS`, `Billing store`, `Payer`. */
  area: string;
  name: string;
  status: 'pass' | 'warn' | 'fail';
  /** What was found. */
  detail: string;
  /** What to do; empty when nothing is needed. */
  remedy: string;
}

export function pass(area: string, name: string, detail: string): DoctorCheck {
  return { area, name, status: 'pass', detail, remedy: '' };
}

export function warn(area: string, name: string, detail: string, remedy: string): DoctorCheck {
  return { area, name, status: 'warn', detail, remedy };
}

export function fail(area: string, name: string, detail: string, remedy: string): DoctorCheck {
  return { area, name, status: 'fail', detail, remedy };
}

/** ChartBill can run when nothing failed; warnings are features it works around. */
export function canRun(checks: readonly DoctorCheck[]): boolean {
  return checks.every((c) => c.status !== 'fail');
}
