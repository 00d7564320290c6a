import type {
  DiagnosisEntry,
  EncounterCoding,
  Finding,
  ServiceLine,
} from '../../src/coding/coding-model.ts';
import { CLAIM_LIMITS, defaultPointers } from '../../src/coding/coding-model.ts';
import type { CodeEntry } from '../../src/codes/code-set.ts';

/** The panel's editable state: the coding plus an idempotency key for each entry not yet saved. */
export interface Draft {
  coding: EncounterCoding;
  keys: { diagnoses: (string | undefined)[]; lines: (string | undefined)[] };
}

export function draftFrom(coding: EncounterCoding): Draft {
  return {
    coding,
    keys: {
      diagnoses: coding.diagnoses.map(() => undefined),
      lines: coding.lines.map(() => undefined),
    },
  };
}

export function addDiagnosis(d: Draft, entry: CodeEntry): Draft {
  if (d.coding.diagnoses.some((x) => x.code === entry.code)) return d;
  const dx: DiagnosisEntry = { code: entry.code, display: entry.display };
  const position = d.coding.diagnoses.length + 1;
  // A line with room for another pointer points at the new diagnosis too: primary first, in order.
  const lines = d.coding.lines.map((l) =>
    l.pointers.length < CLAIM_LIMITS.maxPointers
      ? { ...l, pointers: [...l.pointers, position] }
      : l,
  );
  return {
    coding: { diagnoses: [...d.coding.diagnoses, dx], lines },
    keys: { ...d.keys, diagnoses: [...d.keys.diagnoses, crypto.randomUUID()] },
  };
}

export function addLine(d: Draft, entry: CodeEntry): Draft {
  const line: ServiceLine = {
    code: entry.code,
    system: entry.system === 'hcpcs' ? 'hcpcs' : 'cpt',
    display: entry.display,
    units: 1,
    modifiers: [],
    pointers: defaultPointers(d.coding.diagnoses.length),
  };
  return {
    coding: { ...d.coding, lines: [...d.coding.lines, line] },
    keys: { ...d.keys, lines: [...d.keys.lines, crypto.randomUUID()] },
  };
}

/** Moves diagnosis `index` to `to`, keeping every line's pointers on the same diagnoses. */
export function moveDiagnosis(d: Draft, index: number, to: number): Draft {
  const order = d.coding.diagnoses.map((_, i) => i);
  const [moved] = order.splice(index, 1);
  if (moved === undefined) return d;
  order.splice(to, 0, moved);
  return reorder(d, order);
}

export function removeDiagnosis(d: Draft, index: number): Draft {
  return reorder(
    d,
    d.coding.diagnoses.map((_, i) => i).filter((i) => i !== index),
  );
}

/** `order[newPos] = oldIndex`; pointers follow their diagnosis, pointers to removed ones drop. */
function reorder(d: Draft, order: number[]): Draft {
  const newPosOf = new Map(order.map((old, pos) => [old + 1, pos + 1]));
  const diagnoses = order
    .map((i) => d.coding.diagnoses[i])
    .filter((x): x is DiagnosisEntry => x !== undefined);
  const lines = d.coding.lines.map((l) => ({
    ...l,
    pointers: l.pointers.map((p) => newPosOf.get(p)).filter((p): p is number => p !== undefined),
  }));
  return {
    coding: { diagnoses, lines },
    keys: { ...d.keys, diagnoses: order.map((i) => d.keys.diagnoses[i]) },
  };
}

export function updateLine(d: Draft, index: number, patch: Partial<ServiceLine>): Draft {
  return {
    ...d,
    coding: {
      ...d.coding,
      lines: d.coding.lines.map((l, i) => (i === index ? { ...l, ...patch } : l)),
    },
  };
}

export function removeLine(d: Draft, index: number): Draft {
  return {
    coding: { ...d.coding, lines: d.coding.lines.filter((_, i) => i !== index) },
    keys: { ...d.keys, lines: d.keys.lines.filter((_, i) => i !== index) },
  };
}

export function togglePointer(d: Draft, lineIndex: number, position: number): Draft {
  const line = d.coding.lines[lineIndex];
  if (!line) return d;
  const pointers = line.pointers.includes(position)
    ? line.pointers.filter((p) => p !== position)
    : [...line.pointers, position];
  return updateLine(d, lineIndex, { pointers });
}

/**
 * Puts `entry` in place of diagnosis `index`; lines keep pointing at the same position. When the
 * code is already listed elsewhere, the two merge instead (no duplicate, pointers moved to it).
 * A recorded override was about the old code, so it goes.
 */
export function replaceDiagnosisCode(d: Draft, index: number, entry: CodeEntry): Draft {
  const existing = d.coding.diagnoses.findIndex((x, i) => i !== index && x.code === entry.code);
  if (existing >= 0) return mergeDiagnosisInto(d, index, existing);
  return {
    ...d,
    coding: {
      ...d.coding,
      diagnoses: d.coding.diagnoses.map((x, i) => {
        if (i !== index) return x;
        const next: DiagnosisEntry = { ...x, code: entry.code, display: entry.display };
        delete next.overrides;
        return next;
      }),
    },
  };
}

/** Removes diagnosis `from`; lines that pointed at it point at diagnosis `into` (once). */
export function mergeDiagnosisInto(d: Draft, from: number, into: number): Draft {
  if (from === into || !d.coding.diagnoses[from] || !d.coding.diagnoses[into]) return d;
  const lines = d.coding.lines.map((l) => {
    const moved = l.pointers.map((p) => (p === from + 1 ? into + 1 : p));
    return { ...l, pointers: moved.filter((p, i) => moved.indexOf(p) === i) };
  });
  return removeDiagnosis({ ...d, coding: { ...d.coding, lines } }, from);
}

/**
 * Puts `entry` in place of line `index` (units, modifiers and pointers kept). The E/M level basis
 * stays when the new code is an office visit too (it is what chose the level), else it goes.
 */
export function replaceLineCode(d: Draft, index: number, entry: CodeEntry): Draft {
  const line = d.coding.lines[index];
  if (!line) return d;
  const { emDocumentation, ...rest } = line;
  const officeVisit = /^992(0[2-5]|1[1-5])$/.test(entry.code);
  const next: ServiceLine = {
    ...rest,
    code: entry.code,
    system: entry.system === 'hcpcs' ? 'hcpcs' : 'cpt',
    display: entry.display,
    ...(officeVisit && emDocumentation ? { emDocumentation } : {}),
  };
  return {
    ...d,
    coding: { ...d.coding, lines: d.coding.lines.map((l, i) => (i === index ? next : l)) },
  };
}

/** 25 (separate visit, minor procedure) and 57 (decision for major surgery) exclude each other. */
const EXCLUSIVE_MODIFIERS: Readonly<Record<string, string>> = { '25': '57', '57': '25' };

/** Adds `modifier` to line `index`; 57 replaces 25 and 25 replaces 57 (never both). */
export function applyModifier(d: Draft, index: number, modifier: string): Draft {
  const line = d.coding.lines[index];
  if (!line || line.modifiers.includes(modifier)) return d;
  const other = EXCLUSIVE_MODIFIERS[modifier];
  const modifiers = line.modifiers.includes(other ?? '')
    ? line.modifiers.map((m) => (m === other ? modifier : m))
    : [...line.modifiers, modifier];
  return updateLine(d, index, { modifiers });
}

/** What a one-click fix does, in words on its button. */
export function fixLabel(f: Finding, suggestion: string, coding: EncounterCoding): string {
  if (f.rule === 'dx-excludes1') return `Keep ${suggestion}`;
  if (!/^[A-Z0-9]{2}$/.test(suggestion)) return `Use ${suggestion}`;
  const line = f.target?.kind === 'line' ? coding.lines[f.target.index] : undefined;
  const other = EXCLUSIVE_MODIFIERS[suggestion];
  return other && line?.modifiers.includes(other)
    ? `Change modifier ${other} to ${suggestion}`
    : `Add modifier ${suggestion}`;
}

/** Parses "25, 59" or "25 59" into modifiers. */
export function parseModifiers(text: string): string[] {
  return text
    .toUpperCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .slice(0, 8);
}
