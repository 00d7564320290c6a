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
  create<T extends CodingResource>(draft: T, ifNoneExist: string | undefined, keySystem: string): Promise<T>;
  /** An update of `stored` to `next`, If-Match on the version the clinician saw. */
  update<T extends CodingResource>(stored: T, next: T, ifMatchVersion: string | undefined): Promise<T>;
  /** Undoes every write, newest first. */
  rollback(): Promise<RollbackResult>;
}

/** No answer after the gateway's retries: the server may or may not have done the write. */
function outcomeUnknown(err: unknown): boolean {
  return isAppError(err, 'FHIR_UNAVAILABLE');
}

function withoutKey<T extends CodingResource>(r: T, keySystem: string): T {
  const identifier = (r.identifier ?? []).filter((i) => i.system !== keySystem);
  const copy = { ...r };
  if (identifier.length) copy.identifier = identifier;
  else delete copy.identifier;
  return copy;
}

export function createSaveJournal(fhir: FhirGateway): SaveJournal {
  const done: Undo[] = [];
  const unsure: Unsure[] = [];

  const result: RollbackResult = { notUndone: [], restored: [] };

  async function putBack(u: Undo): Promise<void> {
    try {
      // If-Match: a change someone made after this save is never overwritten by the undo.
      const back = await fhir.update(u.content, u.version ? { ifMatchVersion: u.version } : {});
      if (u.restores && back.meta?.versionId) result.restored.push({ ref: u.ref, from: u.restores, to: back.meta.versionId });
    } catch {
      result.notUndone.push(u.ref);
    }
  }

  return {
    async create(draft, ifNoneExist, keySystem) {
      const retire = (landed: CodingResource) => withoutKey(retiredCopy(landed), keySystem);
      try {
        const result = await fhir.create(draft, ifNoneExist ? { ifNoneExist } : {});
        const ref = `${draft.resourceType}/${result.resource.id ?? ''}`;
        // A match of If-None-Exist was written by an earlier save (this one's retry): not this save's to undo.
        if (result.created) done.push({ ref, content: retire(result.resource), version: result.resource.meta?.versionId });
        return result.resource;
      } catch (err) {
        if (outcomeUnknown(err) && ifNoneExist) {
          const query = Object.fromEntries(new URLSearchParams(ifNoneExist));
          const find = async () => (await fhir.searchAll(draft.resourceType, query, 1))[0] as CodingResource | undefined;
          unsure.push({ ref: `${draft.resourceType}?${ifNoneExist}`, find, undo: retire });
        }
        throw err;
      }
    },
    async update(stored, next, ifMatchVersion) {
      const ref = `${stored.resourceType}/${stored.id ?? ''}`;
      try {
        const written = await fhir.update(next, ifMatchVersion ? { ifMatchVersion } : {});
        done.push({ ref, content: asWritten(stored), version: written.meta?.versionId, restores: stored.meta?.versionId });
        return written;
      } catch (err) {
        if (outcomeUnknown(err)) {
          const find = async () => {
            const now = await fhir.read<CodingResource>(stored.resourceType, stored.id ?? '');
            return now.meta?.versionId !== stored.meta?.versionId && hasCodingContent(now, next) ? now : undefined;
          };
          unsure.push({ ref, find, undo: () => asWritten(stored), restores: stored.meta?.versionId });
        }
        throw err;
      }
    },
    async rollback() {
      for (const u of unsure.splice(0).reverse()) {
        try {
          const landed = await u.find();
          if (landed) await putBack({ ref: u.ref, content: u.undo(landed), version: landed.meta?.versionId, restores: u.restores });
        } catch {
          result.notUndone.push(u.ref);
        }
      }
      for (const u of done.splice(0).reverse()) await putBack(u);
      return result;
    },
  };
}
