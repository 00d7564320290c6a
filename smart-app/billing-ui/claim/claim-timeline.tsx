import type { HistoryGap, TimelineEvent } from '../../../src/billing-office/claim-detail-types.ts';

const KIND_WORDS: Record<TimelineEvent['kind'], string> = {
  'claim-version': 'Claim',
  eligibility: 'Eligibility',
  submission: 'Submission',
  acknowledgment: 'Acknowledgment',
  'claim-response': 'Payer answer',
  payment: 'Payment',
  task: 'Work item',
  provenance: 'Written',
};

/**
 * The claim's whole history, oldest first: versions, eligibility, answers, payments, work items,
 * who wrote what; above it, what could not be read (so a short list is never taken as complete).
 */
export function ClaimTimeline({ events, gaps }: { events: TimelineEvent[]; gaps: HistoryGap[] }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">History</h2>
      {gaps.length > 0 && (
        <div class="notice" role="status" data-testid="history-gaps">
          <p>This history is incomplete: some of it could not be read.</p>
          <ul>
            {gaps.map((g) => (
              <li key={g.part}>
                <strong>{g.part}</strong>: {g.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <ol class="claim-timeline">
        {events.map((e, i) => (
          <li key={`${e.at}-${String(i)}`} data-kind={e.kind}>
            <time dateTime={e.at}>{e.at.slice(0, 16).replace('T', ' ')}</time>{' '}
            <strong>{KIND_WORDS[e.kind]}</strong>: {e.title}
            {e.detail && <div class="hint">{e.detail}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
