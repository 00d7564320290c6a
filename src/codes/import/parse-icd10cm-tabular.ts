/**
 * The official ICD-10-CM Tabular List XML (CDC/NCHS `icd10cm_tabular_YYYY.xml`, schema
 * icd-10-cm-tabular-YYYY.xsd): per code, category and subcategory its Excludes1/Excludes2,
 * Code first, Use additional code, inclusion terms and whether a 7th character is required
 * (`sevenChrDef`). Streams the file: the full release (~10 MB) is never held as a tree.
 */
import { formatIcd10cm } from '../code-format.ts';
import { codeRefsOfAll } from '../code-refs.ts';
import type { NoteFields } from '../store/stored-release.ts';
import { CodeFileError, type ImportProgress } from './code-file-error.ts';
import { streamXml } from './xml-source.ts';

/** Tabular note elements → the CodeEntry field their code references go to. */
const REF_NOTES: Readonly<
  Record<string, 'excludes1' | 'excludes2' | 'codeFirst' | 'useAdditional'>
> = {
  excludes1: 'excludes1',
  excludes2: 'excludes2',
  codeFirst: 'codeFirst',
  useAdditionalCode: 'useAdditional',
};
const NOTE_CONTAINERS = new Set([
  ...Object.keys(REF_NOTES),
  'inclusionTerm',
  'includes',
  'codeAlso',
  'notes',
  'sevenChrNote',
  'instruction',
]);

export interface TabularNotes {
  version: string;
  notes: Record<string, NoteFields>;
}

interface Node {
  kind: 'chapter' | 'section' | 'diag';
  code?: string;
  /** Note texts by note element (`excludes1` → ["type 1 diabetes mellitus (E10.-)"]). */
  notes: Record<string, string[]>;
  /** A sevenChrDef here or above: every code below needs a 7th character (Guidelines I.A.5). */
  seventh: boolean;
}

function addRefs(
  fields: NoteFields,
  key: 'excludes1' | 'excludes2' | 'codeFirst' | 'useAdditional',
  refs: readonly string[],
): void {
  if (refs.length === 0) return;
  fields[key] = [...new Set([...(fields[key] ?? []), ...refs])];
}

/**
 * The fields a finished <diag> contributes. A category (a diag right under a section) also takes
 * its chapter's and section's Excludes notes, which apply to every category inside them.
 */
function fieldsOf(node: Node, ancestors: readonly Node[]): NoteFields {
  const fields: NoteFields = {};
  for (const [element, key] of Object.entries(REF_NOTES))
    addRefs(fields, key, codeRefsOfAll(node.notes[element] ?? []));
  if (ancestors[ancestors.length - 1]?.kind !== 'diag') {
    for (const outer of ancestors) {
      addRefs(fields, 'excludes1', codeRefsOfAll(outer.notes.excludes1 ?? []));
      addRefs(fields, 'excludes2', codeRefsOfAll(outer.notes.excludes2 ?? []));
    }
  }
  const inclusion = node.notes.inclusionTerm;
  if (inclusion?.length) fields.inclusionTerms = inclusion;
  if (node.seventh) fields.requiresSeventh = true;
  return fields;
}

/** Parses a Tabular XML file; throws CodeFileError on a malformed, truncated or foreign file. */
export async function parseIcd10cmTabular(
  path: string,
  name: string,
  progress?: ImportProgress,
): Promise<TabularNotes> {
  const notes: Record<string, NoteFields> = {};
  const stack: Node[] = [];
  let version = '';
  let text = '';
  let container: string | undefined;
  await streamXml(
    path,
    name,
    'ICD10CM.tabular',
    {
      open(element) {
        text = '';
        const top = stack[stack.length - 1];
        if (element === 'chapter' || element === 'section' || element === 'diag')
          stack.push({ kind: element, notes: {}, seventh: top?.seventh ?? false });
        else if (NOTE_CONTAINERS.has(element)) container = element;
        else if (element === 'sevenChrDef' && top) top.seventh = true;
      },
      text(chunk) {
        text += chunk;
      },
      close(element, depth) {
        const node = stack[stack.length - 1];
        if (element === 'version' && depth === 2) version = text.trim();
        else if (element === 'name' && node?.kind === 'diag' && !container)
          node.code = formatIcd10cm(text.trim());
        else if (element === 'note' && node && container)
          (node.notes[container] ??= []).push(text.trim());
        else if (NOTE_CONTAINERS.has(element)) container = undefined;
        else if (element === 'chapter' || element === 'section' || element === 'diag')
          closeNode(stack, notes);
        text = '';
      },
    },
    progress,
  );
  if (!/^\d{4}$/.test(version))
    throw new CodeFileError(name, 0, 'no <version> year at the top of the Tabular XML');
  return { version, notes };
}

/** Pops the finished node and records a diag's notes under its code. */
function closeNode(stack: Node[], notes: Record<string, NoteFields>): void {
  const node = stack.pop();
  if (node?.kind !== 'diag' || !node.code) return;
  const fields = fieldsOf(node, stack);
  if (Object.keys(fields).length > 0) notes[node.code] = fields;
}
