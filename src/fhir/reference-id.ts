/** One pattern per resource type, made once: references are read for every resource of every chunk. */
const REFERENCE_PATTERNS = new Map<string, RegExp>();

/** The id in a reference to `type` (relative or absolute, with or without `_history`). */
export function idOfReference(reference: string | undefined, type: string): string | undefined {
  if (reference === undefined) return undefined;
  let pattern = REFERENCE_PATTERNS.get(type);
  if (!pattern) {
    pattern = new RegExp(`(?:^|/)${type}/([^/]+)(?:/_history/[^/]+)?$`);
    REFERENCE_PATTERNS.set(type, pattern);
  }
  return pattern.exec(reference)?.[1];
}
