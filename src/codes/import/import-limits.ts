/**
 * How much an import may read, so that a hostile or broken file (a zip bomb: a few MB that expand
 * to gigabytes) is refused with a reason instead of exhausting memory. The largest official files
 * are far below these: the CMS ICD-10-CM order zip is 2.2 MB expanding to 15 MB (ratio 7), an NCCI
 * PTP part a few tens of MB of text; deflate on such text stays well under 30:1, while a bomb
 * of zeros reaches about 1000:1. Both sizes stay under V8's longest string (512 MB), since a file
 * is decoded into one string.
 */
export interface ImportLimits {
  /** The largest file read from disk, zipped or not. */
  maxFileBytes: number;
  /** The most bytes all members of one zip may expand to, together. */
  maxUnzippedBytes: number;
  /** The most a zip may expand relative to its own size (beyond `ratioFloorBytes`). */
  maxRatio: number;
  /** Expansion up to this many bytes is allowed whatever the ratio, so tiny zips are not refused. */
  ratioFloorBytes: number;
}

export const IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxFileBytes: 400 * 1024 * 1024,
  maxUnzippedBytes: 400 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
});
