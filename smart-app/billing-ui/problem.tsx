/** An error or refusal in words: what happened, what to do, and Try again where that can help. */
export function Problem(props: {
  title: string;
  problem: { text: string; hint?: string };
  onRetry?: () => void;
}) {
  return (
    <div class="problem" role="alert">
      <h2>{props.title}</h2>
      <p>{props.problem.text}</p>
      {props.problem.hint && <p class="hint">What to do: {props.problem.hint}</p>}
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
