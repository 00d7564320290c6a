import { useEffect, useState } from 'preact/hooks';
import type { AppealLetter } from '../../../src/billing-office/appeal-letter.ts';
import type { Api } from '../api.ts';

/** The appeal letter on the page, with Print (the browser's) and a PDF the server makes. */
export function AppealLetterView(props: { api: Api; path: string; claimId: string }) {
  const { api, path, claimId } = props;
  const [letter, setLetter] = useState<AppealLetter | undefined>();
  useEffect(() => {
    api<AppealLetter>(`${path}/appeal-letter`)
      .then(setLetter)
      .catch(() => undefined);
  }, [api, path]);
  if (!letter) return <p class="loading">Writing the appeal letter…</p>;
  return (
    <article class="appeal-letter" aria-labelledby="letter-h">
      <div class="actions-bar no-print">
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
        <button
          type="button"
          onClick={() =>
            void api.download(`${path}/appeal-letter?format=pdf`, `appeal-${claimId}.pdf`)
          }
        >
          Download PDF
        </button>
      </div>
      <p>{letter.from}</p>
      <p>{letter.date}</p>
      <p>{letter.to}</p>
      <h2 id="letter-h">{letter.title}</h2>
      <p class="deadline">
        <strong>Respond by {letter.deadline}</strong>
      </p>
      <table>
        <caption>About this claim</caption>
        <tbody>
          {letter.re.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Reasons given for the denial</h3>
      <ul>
        {letter.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <h3>Services billed</h3>
      <ul>
        {letter.lines.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {letter.paragraphs.map((p) => (
        <p key={p}>{p}</p>
      ))}
      <h3>Enclosed documentation</h3>
      <ul>
        {letter.documents.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <p>Sincerely,</p>
      <p>{letter.signature}</p>
    </article>
  );
}
