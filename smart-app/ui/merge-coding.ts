import type {
  DiagnosisEntry,
  EncounterCoding,
  ServiceLine,
} from '../../src/coding/coding-model.ts';

/** A line with its pointers as diagnosis codes, so they survive reordering and merging. */
interface PortableLine extends Omit<ServiceLine, 'pointers'> {
  pointerCodes: string[];
}

function portable(coding: EncounterCoding): PortableLine[] {
  return coding.lines.map(({ pointers, ...line }) => ({
    ...line,
    pointerCodes: pointers
      .map((p) => coding.diagnoses[p - 1]?.code)
      .filter((c): c is string => c !== undefined),
  }));
}

const lineKey = (l: { chargeItemId?: string; code: string }) => l.chargeItemId ?? `new:${l.code}`;
const sameLine = (a: PortableLine, b: PortableLine) =>
  a.units === b.units &&
  a.modifiers.join() === b.modifiers.join() &&
  a.pointerCodes.join() === b.pointerCodes.join() &&
  // The E/M level's basis is the clinician's change too (issue 16, item 11).
  JSON.stringify(a.emDocumentation ?? {}) === JSON.stringify(b.emDocumentation ?? {});

export interface MergeResult {
  coding: EncounterCoding;
  /** Keys of `mine`'s unsaved entries, parallel to the merged lists (undefined for saved ones). */
  keys: { diagnoses: (string | undefined)[]; lines: (string | undefined)[] };
  /** Plain-words notes of what the merge did with the other person's changes. */
  notes: string[];
}

/**
 * Three-way merge of the encounter's coding after a write conflict: `base` is what this tab
 * loaded, `mine` its edits, `theirs` what the server holds now. Their changes are kept; mine are
 * re-applied on top (additions, removals, and changes to lines they did not also change). The
 * result carries their versions, so saving it is a normal If-Match write.
 */
export function mergeCoding(
  base: EncounterCoding,
  mine: EncounterCoding,
  mineKeys: MergeResult['keys'],
  theirs: EncounterCoding,
): MergeResult {
  const notes: string[] = [];
  const baseDx = new Set(base.diagnoses.map((d) => d.code));
  const mineDx = new Set(mine.diagnoses.map((d) => d.code));
  const keyOfDx = new Map(mine.diagnoses.map((d, i) => [d.code, mineKeys.diagnoses[i]]));
  let diagnoses: DiagnosisEntry[] = theirs.diagnoses.filter(
    (d) => !(baseDx.has(d.code) && !mineDx.has(d.code)),
  );
  for (const d of theirs.diagnoses)
    if (!baseDx.has(d.code)) notes.push(`They added diagnosis ${d.code}.`);
  for (const d of mine.diagnoses)
    if (!baseDx.has(d.code) && !diagnoses.some((x) => x.code === d.code))
      diagnoses = [...diagnoses, { code: d.code, ...(d.display ? { display: d.display } : {}) }];

  const baseLines = new Map(portable(base).map((l) => [lineKey(l), l]));
  const mineLines = portable(mine);
  const mineByKey = new Map(mineLines.map((l) => [lineKey(l), l]));
  const keyOfLine = new Map(mineLines.map((l, i) => [lineKey(l), mineKeys.lines[i]]));
  const merged: PortableLine[] = [];
  for (const t of portable(theirs)) {
    const key = lineKey(t);
    const b = baseLines.get(key);
    const m = mineByKey.get(key);
    if (b && !m) continue; // I removed it
    if (!b) notes.push(`They added service ${t.code}.`);
    const iChanged = b && m && !sameLine(b, m);
    const theyChanged = b && !sameLine(b, t);
    if (iChanged && theyChanged) notes.push(`You both changed ${t.code}; their version is kept.`);
    merged.push(
      m && iChanged && !theyChanged
        ? { ...m, ...(t.versionId ? { versionId: t.versionId } : {}) }
        : t,
    );
  }
  for (const m of mineLines)
    if (!m.chargeItemId && !merged.some((l) => l.code === m.code && !l.chargeItemId))
      merged.push(m);

  const position = new Map(diagnoses.map((d, i) => [d.code, i + 1]));
  const lines: ServiceLine[] = merged.map(({ pointerCodes, ...l }) => ({
    ...l,
    pointers: pointerCodes.map((c) => position.get(c)).filter((p): p is number => p !== undefined),
  }));
  return {
    coding: { diagnoses, lines },
    keys: {
      diagnoses: diagnoses.map((d) => (d.conditionId ? undefined : keyOfDx.get(d.code))),
      lines: merged.map((l) => (l.chargeItemId ? undefined : keyOfLine.get(lineKey(l)))),
    },
    notes,
  };
}
