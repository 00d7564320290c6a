/**
 * The encounter's coding as FHIR R4 resources and back: a diagnosis is a Condition (category
 * encounter-diagnosis, ICD-10-CM, rank extension), a service line is a ChargeItem (CPT/HCPCS code,
 * units as quantity, modifier and diagnosis-pointer extensions). The extensions are defined in
 * `profiles/`. Browser-safe.
 */
import type { ChargeItem, Coding, Condition, Extension } from 'fhir/r4';
import { formatIcd10cm } from '../codes/code-format.ts';
import { officeVisitPatient, type EmDocumentation } from '../edits/em/em-level.ts';
import { EXT, SYSTEM, writerTag } from '../fhir/systems.ts';
import {
  serviceSystemOf,
  type DiagnosisEntry,
  type EncounterCoding,
  type ServiceLine,
  type ServiceSystem,
} from './coding-model.ts';

export interface ConditionContext {
  /** `Patient/123` */
  patient: string;
  /** `Encounter/456` */
  encounter: string;
  /** `Practitioner/789`: who coded it. */
  recorder?: string;
}

export interface ChargeItemContext {
  patient: string;
  encounter: string;
  /** conditionRefs[i] is the reference (`Condition/…`) of diagnosis i + 1. */
  conditionRefs: string[];
  enterer?: string;
  /** `planned` while coding, `billable` once signed off. */
  status: 'planned' | 'billable';
  /** Date (or dateTime) of service. */
  occurrence: string;
  /** The line's position on the claim (1 = first); servers keep no order for search results. */
  sequence?: number;
}

/**
 * Modifier code system: CPT modifiers are two digits (and the CPT Category II 1P–8P); HCPCS
 * Level II modifiers start with a letter or pair a letter with a digit (`F1`, `T5`, `XS`).
 */
export function modifierSystemOf(modifier: string): string {
  return /^(\d\d|[1-8]P)$/i.test(modifier.trim()) ? SYSTEM.cpt : SYSTEM.hcpcs;
}

/** A diagnosis as a Condition at the given rank (1 = primary). */
export function conditionFromDiagnosis(
  dx: DiagnosisEntry,
  rank: number,
  ctx: ConditionContext,
): Condition {
  const coding: Coding = { system: SYSTEM.icd10cm, code: formatIcd10cm(dx.code) };
  if (dx.display) coding.display = dx.display;
  const condition: Condition = {
    resourceType: 'Condition',
    meta: { tag: [writerTag('smart-app')] },
    extension: [
      { url: EXT.diagnosisRank, valuePositiveInt: rank },
      // The clinician's recorded reason travels with the diagnosis, so the worker's scrub sees it.
      ...(dx.overrides ?? [])
        .filter((o) => o.rule === 'dx-age-conflict' && o.reason.trim())
        .map((o) => ({ url: EXT.ageConflictOverride, valueString: o.reason.trim() })),
    ],
    clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
    category: [
      {
        coding: [
          {
            system: SYSTEM.conditionCategory,
            code: 'encounter-diagnosis',
            display: 'Encounter Diagnosis',
          },
        ],
      },
    ],
    code: { coding: [coding] },
    subject: { reference: ctx.patient },
    encounter: { reference: ctx.encounter },
  };
  if (dx.conditionId) condition.id = dx.conditionId;
  if (ctx.recorder) condition.recorder = { reference: ctx.recorder };
  return condition;
}

/**
 * The E/M level's documented basis as the `chargeitem-em-basis` extension, on the ChargeItem it
 * justifies: it is written, versioned and read with the level it supports (one write, one
 * Provenance), wherever the coding lives (EHR or billing store). Undefined when nothing is set.
 */
export function emBasisExtension(doc: EmDocumentation | undefined): Extension | undefined {
  if (!doc) return undefined;
  const parts: Extension[] = [
    ...(doc.minutes !== undefined ? [{ url: 'minutes', valueInteger: doc.minutes }] : []),
    ...(['problems', 'data', 'risk'] as const).flatMap((k) =>
      doc[k] ? [{ url: k, valueCode: doc[k] }] : [],
    ),
  ];
  return parts.length ? { url: EXT.emBasis, extension: parts } : undefined;
}

const EM_VALUES = {
  problems: ['minimal', 'low', 'moderate', 'high'],
  data: ['minimal', 'limited', 'moderate', 'extensive'],
  risk: ['minimal', 'low', 'moderate', 'high'],
} as const;

/** The documented basis read back; values outside the AMA levels are dropped, not trusted. */
export function emDocumentationOf(ext: Extension | undefined): EmDocumentation | undefined {
  if (!ext?.extension) return undefined;
  const doc: EmDocumentation = {};
  for (const part of ext.extension) {
    const minutes = part.valueInteger;
    if (
      part.url === 'minutes' &&
      minutes !== undefined &&
      Number.isInteger(minutes) &&
      minutes >= 0
    )
      doc.minutes = minutes;
    if (part.url === 'problems' || part.url === 'data' || part.url === 'risk') {
      const allowed: readonly string[] = EM_VALUES[part.url];
      if (part.valueCode && allowed.includes(part.valueCode))
        Object.assign(doc, { [part.url]: part.valueCode });
    }
  }
  return Object.keys(doc).length ? doc : undefined;
}

/** Modifiers, then diagnosis pointers, each in billing order (extension order carries it). */
function lineExtensions(line: ServiceLine, conditionRefs: string[]): Extension[] {
  const modifiers = line.modifiers.map((m): Extension => ({
    url: EXT.modifier,
    valueCoding: { system: modifierSystemOf(m), code: m.trim().toUpperCase() },
  }));
  // A pointer to a diagnosis that does not exist is left out; the line-pointer edits report it.
  const pointers = line.pointers
    .map((p) => conditionRefs[p - 1])
    .filter((ref): ref is string => ref !== undefined)
    .map((reference): Extension => ({ url: EXT.diagnosisPointer, valueReference: { reference } }));
  const basis = officeVisitPatient(line.code) ? emBasisExtension(line.emDocumentation) : undefined;
  return [...modifiers, ...pointers, ...(basis ? [basis] : [])];
}

/** A service line as a ChargeItem on the encounter. */
export function chargeItemFromLine(line: ServiceLine, ctx: ChargeItemContext): ChargeItem {
  const coding: Coding = {
    system: line.system === 'cpt' ? SYSTEM.cpt : SYSTEM.hcpcs,
    code: line.code,
  };
  if (line.display) coding.display = line.display;
  const item: ChargeItem = {
    resourceType: 'ChargeItem',
    meta: { tag: [writerTag('smart-app')] },
    status: ctx.status,
    code: { coding: [coding] },
    subject: { reference: ctx.patient },
    context: { reference: ctx.encounter },
    occurrenceDateTime: ctx.occurrence,
    quantity: { value: line.units },
  };
  const extension = lineExtensions(line, ctx.conditionRefs);
  if (ctx.sequence !== undefined)
    extension.unshift({ url: EXT.lineSequence, valuePositiveInt: ctx.sequence });
  if (extension.length) item.extension = extension;
  if (line.chargeItemId) item.id = line.chargeItemId;
  if (ctx.enterer) item.enterer = { reference: ctx.enterer };
  return item;
}

function isEnteredInError(condition: Condition): boolean {
  return condition.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error') === true;
}

function rankOf(condition: Condition): number {
  const rank = condition.extension?.find((e) => e.url === EXT.diagnosisRank)?.valuePositiveInt;
  return rank ?? Number.POSITIVE_INFINITY;
}

function diagnosisOf(condition: Condition): DiagnosisEntry | undefined {
  const codings = condition.code?.coding ?? [];
  const icd = codings.find((c) => c.system === SYSTEM.icd10cm) ?? codings[0];
  if (!icd?.code) return undefined;
  const dx: DiagnosisEntry = { code: formatIcd10cm(icd.code) };
  if (icd.display) dx.display = icd.display;
  if (condition.id) dx.conditionId = condition.id;
  if (condition.meta?.versionId) dx.versionId = condition.meta.versionId;
  const kept = condition.extension?.find((e) => e.url === EXT.ageConflictOverride)?.valueString;
  if (kept) dx.overrides = [{ rule: 'dx-age-conflict', reason: kept }];
  return dx;
}

/** `Condition/abc`, `https://ehr/fhir/Condition/abc/_history/2` → `abc`. */
function conditionIdOf(reference: string | undefined): string | undefined {
  return reference?.match(/(?:^|\/)Condition\/([^/]+)(?:\/_history\/[^/]+)?$/)?.[1];
}

function lineOf(
  item: ChargeItem,
  positionOf: ReadonlyMap<string, number>,
): ServiceLine | undefined {
  const codings = item.code.coding ?? [];
  const coding =
    codings.find((c) => c.system === SYSTEM.cpt || c.system === SYSTEM.hcpcs) ?? codings[0];
  if (!coding?.code) return undefined;
  const system: ServiceSystem =
    coding.system === SYSTEM.cpt
      ? 'cpt'
      : coding.system === SYSTEM.hcpcs
        ? 'hcpcs'
        : serviceSystemOf(coding.code);
  const extensions = item.extension ?? [];
  const line: ServiceLine = {
    code: coding.code,
    system,
    units: item.quantity?.value ?? 1,
    modifiers: extensions
      .filter((e) => e.url === EXT.modifier)
      .flatMap((e) => e.valueCoding?.code ?? []),
    pointers: extensions
      .filter((e) => e.url === EXT.diagnosisPointer)
      .flatMap((e) => positionOf.get(conditionIdOf(e.valueReference?.reference) ?? '') ?? []),
  };
  const basis = emDocumentationOf(extensions.find((e) => e.url === EXT.emBasis));
  if (basis) line.emDocumentation = basis;
  if (coding.display) line.display = coding.display;
  if (item.id) line.chargeItemId = item.id;
  if (item.meta?.versionId) line.versionId = item.meta.versionId;
  return line;
}

function sequenceOf(item: ChargeItem): number {
  return (
    item.extension?.find((e) => e.url === EXT.lineSequence)?.valuePositiveInt ??
    Number.POSITIVE_INFINITY
  );
}

const DEAD_CHARGE = new Set<ChargeItem['status']>(['entered-in-error', 'not-billable']);

/**
 * The encounter's coding from its Conditions and ChargeItems: diagnoses by rank (unranked last,
 * in the order given), lines by their sequence extension (unsequenced last, in the order given), pointers turned into 1-based positions. Retired
 * resources are skipped; a pointer to a Condition that is not among the diagnoses is dropped, so
 * the line-pointer edits report the line.
 */
export function codingFromFhir(
  conditions: Condition[],
  chargeItems: ChargeItem[],
): EncounterCoding {
  const ranked = conditions
    .filter((c) => !isEnteredInError(c))
    .map((c, order) => ({ c, order, rank: rankOf(c) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ c }) => c);
  const diagnoses: DiagnosisEntry[] = [];
  const positionOf = new Map<string, number>();
  for (const condition of ranked) {
    const dx = diagnosisOf(condition);
    if (!dx) continue;
    diagnoses.push(dx);
    if (condition.id) positionOf.set(condition.id, diagnoses.length);
  }
  const lines = chargeItems
    .filter((item) => !DEAD_CHARGE.has(item.status))
    .map((item, order) => ({ item, order, sequence: sequenceOf(item) }))
    .sort((a, b) => a.sequence - b.sequence || a.order - b.order)
    .map(({ item }) => lineOf(item, positionOf))
    .filter((l): l is ServiceLine => l !== undefined);
  return { diagnoses, lines };
}
