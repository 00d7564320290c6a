import { Link } from '../link.tsx';

/**
 * The claim detail page at `/billing/claims/:claimId` (issue 17, item 3). A placeholder until the
 * claim detail work lands; its export is the shell's contract: `ClaimPage({ claimId })`.
 */
export function ClaimPage({ claimId }: { claimId: string }) {
  return (
    <section class="claim-page" aria-labelledby="claim-heading">
      <h1 id="claim-heading">Claim {claimId}</h1>
      <p>The claim’s lines, history and actions will show here.</p>
      <p>
        <Link href="/billing">Back to the work queue</Link>
      </p>
    </section>
  );
}
