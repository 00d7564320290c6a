/**
 * The message of anything thrown: an Error's message, or the thrown value as text (a library
 * may throw a string). For logs and for errors that wrap another's message.
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
