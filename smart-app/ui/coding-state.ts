import type {
  DiagnosisEntry,
  EncounterCoding,
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

export function replaceDiagnosisCode(d: Draft, index: number, entry: CodeEntry): Draft {
  return {
    ...d,
    coding: {
      ...d.coding,
      diagnoses: d.coding.diagnoses.map((x, i) =>
        i === index ? { ...x, code: entry.code, display: entry.display } : x,
      ),
    },
  };
}

/** Parses "25, 59" or "25 59" into modifiers. */
export function parseModifiers(text: string): string[] {
  return text
    .toUpperCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .slice(0, 8);
}
