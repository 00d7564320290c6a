import type { ChargeItem, Condition } from 'fhir/r4';
import { asWritten, hasCodingContent, retiredCopy } from '../../src/coding/coding-content.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';

type CodingResource = Condition | ChargeItem;

/** How to put one write back: the content to write, If-Match on the version the save wrote. */
interface Undo {
  ref: string;
  content: CodingResource;
  version: string | undefined;
  /** The version whose content the undo puts back (an update's), if any. */
  restores?: string | undefined;
}

/** A version put back: `to` holds the content of `from`, so a client that saw `from` saw `to`. */
export interface Restored {
  ref: string;
  from: string;
  to: string;
}

export interface RollbackResult {
  /** References of writes that could not be put back. */
  notUndone: string[];
  restored: Restored[];
}

/** A write whose outcome is unknown (no answer after every retry): checked again before undoing. */
interface Unsure {
  ref: string;
  /** Finds what the write left on the server, if it landed. */
  find: () => Promise<CodingResource | undefined>;
  /** How to put it back if it did. */
  undo: (landed: CodingResource) => CodingResource;
  restores?: string | undefined;
}

/**
 * The writes of one coding save, kept so that a save failing halfway can be undone: updates are
 * restored to the content they replaced, creations withdrawn (entered-in-error, with their entry
 * key removed so a retry creates the entry again). The app's scopes grant no delete, and withdrawn
 * resources are no part of the coding for the app or the worker.
 */
export interface SaveJournal {
  /** A conditional create; its key (an `identifier=` search, the encounter included) finds it again. */
  create<T extends CodingResource>(
    draft: T,
    ifNoneExist: string | undefined,
    keySystem: string,
  ): Promise<T>;
  /** An update of `stored` to `next`, If-Match on the version the clinician saw. */
  update<T extends CodingResource>(
    stored: T,
    next: T,
    ifMatchVersion: string | undefined,
  ): Promise<T>;
  /** Undoes every write, newest first. */
  rollback(): Promise<RollbackResult>;
}

/** No answer after the gateway's retries: the server may or may not have done the write. */
function outcomeUnknown(err: unknown): boolean {
  return isAppError(err, 'FHIR_UNAVAILABLE');
}

/**
 * A conflict can be this very write: the server did it, its answer was lost, and the gateway's
 * retry of the same If-Match update was refused because the version had moved on, by us.
 */
function mayHaveLanded(err: unknown): boolean {
  return outcomeUnknown(err) || isAppError(err, 'FHIR_CONFLICT');
}

function withoutKey<T extends CodingResource>(r: T, keySystem: string): T {
  const identifier = (r.identifier ?? []).filter((i) => i.system !== keySystem);
  const copy = { ...r };
  if (identifier.length) copy.identifier = identifier;
  else delete copy.identifier;
  return copy;
}

/**
 * @param existing references (`Condition/1`) of the encounter's resources as read before the save:
 *   an If-None-Exist match that is not among them was created during this save (a retry whose
 *   first answer was lost), so it is this save's to undo.
 */
export function createSaveJournal(fhir: FhirGateway, existing: ReadonlySet<string>): SaveJournal {
  const done: Undo[] = [];
  const unsure: Unsure[] = [];

  const result: RollbackResult = { notUndone: [], restored: [] };

  async function putBack(u: Undo): Promise<void> {
    try {
      // If-Match: a change someone made after this save is never overwritten by the undo.
      const back = await fhir.update(u.content, u.version ? { ifMatchVersion: u.version } : {});
      if (u.restores && back.meta?.versionId)
        result.restored.push({ ref: u.ref, from: u.restores, to: back.meta.versionId });
    } catch {
      result.notUndone.push(u.ref);
    }
  }

  return {
    async create(draft, ifNoneExist, keySystem) {
      const retire = (landed: CodingResource) => withoutKey(retiredCopy(landed), keySystem);
      try {
        const answer = await fhir.create(draft, ifNoneExist ? { ifNoneExist } : {});
        const ref = `${draft.resourceType}/${answer.resource.id ?? ''}`;
        if (answer.created || !existing.has(ref))
          done.push({
            ref,
            content: retire(answer.resource),
            version: answer.resource.meta?.versionId,
          });
        return answer.resource;
      } catch (err) {
        if (outcomeUnknown(err) && ifNoneExist) {
          const query = Object.fromEntries(new URLSearchParams(ifNoneExist));
          const find = async () =>
            (await fhir.searchAll(draft.resourceType, query, 1))[0] as CodingResource | undefined;
          unsure.push({ ref: `${draft.resourceType}?${ifNoneExist}`, find, undo: retire });
        }
        throw err;
      }
    },
    async update(stored, next, ifMatchVersion) {
      const ref = `${stored.resourceType}/${stored.id ?? ''}`;
      const undo = { ref, content: asWritten(stored), restores: stored.meta?.versionId };
      /** The write, if it is on the server: a new version holding exactly what was sent. */
      const landed = async () => {
        const now = await fhir.read<CodingResource>(stored.resourceType, stored.id ?? '');
        return now.meta?.versionId !== stored.meta?.versionId && hasCodingContent(now, next)
          ? (now as typeof next)
          : undefined;
      };
      let written: typeof next;
      try {
        written = await fhir.update(next, ifMatchVersion ? { ifMatchVersion } : {});
      } catch (err) {
        if (!mayHaveLanded(err)) throw err;
        const found = await landed().catch(() => undefined);
        if (!found) {
          if (outcomeUnknown(err))
            unsure.push({ ref, find: landed, undo: () => undo.content, restores: undo.restores });
          throw err;
        }
        written = found;
      }
      done.push({ ...undo, version: written.meta?.versionId });
      return written;
    },
    async rollback() {
      for (const u of unsure.splice(0).reverse()) {
        try {
          const landed = await u.find();
          if (landed)
            await putBack({
              ref: u.ref,
              content: u.undo(landed),
              version: landed.meta?.versionId,
              restores: u.restores,
            });
        } catch {
          result.notUndone.push(u.ref);
        }
      }
      for (const u of done.splice(0).reverse()) await putBack(u);
      return result;
    },
  };
}
