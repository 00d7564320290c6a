/**
 * How X12 files and real-time transactions reach a clearinghouse and come back. Two shapes, as
 * clearinghouses offer them:
 *
 * - **Batch** (837P out; 999, TA1, 277CA, 835 back): files in folders, over SFTP at a real
 *   clearinghouse (`createSftpBatchTransport`), or a local directory for files received by other
 *   means and for tests (`createDirectoryBatchTransport`).
 * - **Real time** (270/271, 276/277): one request, one answer, over HTTPS following the CAQH CORE
 *   connectivity rule (HTTP MIME multipart, `createCoreRealTimeTransport`).
 *
 * Exactly-once rests on the batch side's names: ChartBill names each outbound file from the
 * claim's ledger key and interchange control number (deterministic), and before sending again
 * after a crash it asks `exists` whether the file already reached the remote folder.
 *
 * Errors are `AppError`s: `PAYER_UNAVAILABLE` when the clearinghouse cannot be reached (retry
 * later), `PAYER_REJECTED` when it refuses the request as such.
 */
export interface BatchTransport {
  /** Where this transport sends and reads, for logs and `doctor` (never includes a password). */
  readonly describe: string;
  /** Puts one file in the clearinghouse's inbound folder. Writes under a temporary name and renames, so a half file is never picked up. */
  upload(name: string, content: string): Promise<void>;
  /** Whether a file of this name is already in the outbound (clearinghouse inbound) folder or its archive. */
  exists(name: string): Promise<boolean>;
  /** Names of the files waiting for ChartBill (999, TA1, 277CA, 835), oldest first. */
  listInbound(): Promise<string[]>;
  download(name: string): Promise<string>;
  /** Moves a read file out of the way (an archive folder), so it is read once; idempotent. */
  archiveInbound(name: string): Promise<void>;
  close(): Promise<void>;
}

/** The CAQH CORE payload types ChartBill sends in real time. */
export type CorePayloadType = 'X12_270_Request_005010X279A1' | 'X12_276_Request_005010X212';

export interface RealTimeTransport {
  readonly describe: string;
  /** Sends one X12 request and returns the X12 answer (271, 277 or 999). */
  exchange(payloadType: CorePayloadType, x12: string): Promise<string>;
}
