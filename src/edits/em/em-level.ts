/**
 * Office and outpatient E/M level (CPT 99202–99215) from what was documented, by the 2021 AMA
 * rules (CPT 2021 E/M guidelines, kept in CPT 2024): either the total time the practitioner
 * spent on the date of the encounter, or medical decision making (MDM) from its three elements
 * (number and complexity of problems, amount and complexity of data, risk), where the MDM level
 * is the one met or exceeded by two of the three elements. Pure and browser-safe.
 */

export type EmPatient = 'new' | 'established';
/** MDM levels in order: straightforward, low, moderate, high. */
export type MdmLevel = 'straightforward' | 'low' | 'moderate' | 'high';
export type ProblemsLevel = 'minimal' | 'low' | 'moderate' | 'high';
export type DataLevel = 'minimal' | 'limited' | 'moderate' | 'extensive';
export type RiskLevel = 'minimal' | 'low' | 'moderate' | 'high';

/** What the clinician documented for the visit's E/M level. */
export interface EmDocumentation {
  /** Total minutes on the date of the encounter (face-to-face and not), when documented. */
  minutes?: number;
  /** The three MDM elements, when documented. */
  problems?: ProblemsLevel;
  data?: DataLevel;
  risk?: RiskLevel;
}

const MDM_ORDER: readonly MdmLevel[] = ['straightforward', 'low', 'moderate', 'high'];
const RANK = {
  problems: { minimal: 0, low: 1, moderate: 2, high: 3 },
  data: { minimal: 0, limited: 1, moderate: 2, extensive: 3 },
  risk: { minimal: 0, low: 1, moderate: 2, high: 3 },
} as const;

/** Lowest total minutes for each level (CPT 2021: 15/30/45/60 new, 10/20/30/40 established). */
const TIME_FLOOR: Readonly<Record<EmPatient, readonly [number, string][]>> = {
  new: [
    [60, '99205'],
    [45, '99204'],
    [30, '99203'],
    [15, '99202'],
  ],
  established: [
    [40, '99215'],
    [30, '99214'],
    [20, '99213'],
    [10, '99212'],
  ],
};

const BY_MDM: Readonly<Record<EmPatient, readonly string[]>> = {
  new: ['99202', '99203', '99204', '99205'],
  established: ['99212', '99213', '99214', '99215'],
};

/** New (99202–99205) or established (99211–99215) office visit, else undefined. */
export function officeVisitPatient(code: string): EmPatient | undefined {
  if (/^9920[2-5]$/.test(code)) return 'new';
  if (/^9921[1-5]$/.test(code)) return 'established';
  return undefined;
}

/** The MDM level two of the three elements meet or exceed: the middle of the three ranks. */
export function mdmLevel(
  doc: Pick<EmDocumentation, 'problems' | 'data' | 'risk'>,
): MdmLevel | undefined {
  if (!doc.problems || !doc.data || !doc.risk) return undefined;
  const ranks = [RANK.problems[doc.problems], RANK.data[doc.data], RANK.risk[doc.risk]].sort();
  return MDM_ORDER[ranks[1] ?? 0];
}

export interface EmLevelResult {
  /** The highest office visit code the documentation supports. */
  code: string;
  basis: 'time' | 'mdm';
  /** In words, e.g. "MDM moderate: problems moderate, data limited, risk moderate (2 of 3)". */
  reason: string;
}

function byTime(patient: EmPatient, minutes: number): EmLevelResult | undefined {
  const hit = TIME_FLOOR[patient].find(([floor]) => minutes >= floor);
  if (!hit) return undefined;
  const [floor, code] = hit;
  const prolonged =
    minutes >= floor + 15 && (code === '99205' || code === '99215')
      ? `; ${minutes - floor} minutes beyond ${floor}: add 99417 for each full 15 minutes past ${floor + 14} (CPT)`
      : '';
  return {
    code,
    basis: 'time',
    reason: `${minutes} minutes total on the date (${code} needs ${floor})${prolonged}`,
  };
}

function byMdm(patient: EmPatient, doc: EmDocumentation): EmLevelResult | undefined {
  const level = mdmLevel(doc);
  if (!level) return undefined;
  const code = BY_MDM[patient][MDM_ORDER.indexOf(level)] ?? '';
  return {
    code,
    basis: 'mdm',
    reason: `MDM ${level}: problems ${doc.problems ?? ''}, data ${doc.data ?? ''}, risk ${doc.risk ?? ''} (the level two of the three meet)`,
  };
}

/**
 * The level the documentation supports, by time or by MDM, whichever is higher (CPT lets the
 * practitioner choose the basis). Undefined when neither time nor all three MDM elements are
 * documented, or when time is under the lowest level's minutes and MDM is absent.
 */
export function emLevel(patient: EmPatient, doc: EmDocumentation): EmLevelResult | undefined {
  const time = doc.minutes !== undefined ? byTime(patient, doc.minutes) : undefined;
  const mdm = byMdm(patient, doc);
  if (!time) return mdm;
  if (!mdm) return time;
  return Number(mdm.code) > Number(time.code) ? mdm : time;
}

/** The data reviewed and analyzed, counted as the AMA MDM table's three categories. */
export interface DataElements {
  /** Category 1: unique external notes reviewed, unique test results reviewed, unique tests ordered. */
  documentsAndTests: number;
  /** Assessment requiring an independent historian (category 1 at moderate, 2 at limited). */
  independentHistorian: boolean;
  /** Independent interpretation of a test performed by another physician (category 2). */
  independentInterpretation: boolean;
  /** Discussion of management or test interpretation with an external physician (category 3). */
  externalDiscussion: boolean;
}

/**
 * The data element's level: limited = 2 documents/tests or an independent historian; moderate =
 * one of the three categories (3 documents/tests/historian, independent interpretation, external
 * discussion); extensive = two of them.
 */
export function dataLevel(d: DataElements): DataLevel {
  const category1 = d.documentsAndTests + (d.independentHistorian ? 1 : 0) >= 3;
  const met = [category1, d.independentInterpretation, d.externalDiscussion].filter(Boolean).length;
  if (met >= 2) return 'extensive';
  if (met === 1) return 'moderate';
  return d.documentsAndTests >= 2 || d.independentHistorian ? 'limited' : 'minimal';
}
