import type { TimelineEvent } from '../../../src/billing-office/claim-detail-types.ts';

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

/** The claim's whole history, oldest first: versions, eligibility, answers, payments, work items. */
export function ClaimTimeline({ events }: { events: TimelineEvent[] }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">History</h2>
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
