import { useState } from 'preact/hooks';

const OTHER = '__other';

/**
 * Assigns the checked rows at once: to me, to someone already working the queue, to a user
 * reference typed in (`Practitioner/123`), or to nobody.
 */
export function BulkAssign(props: {
  selected: string[];
  assignees: Array<[string, string]>;
  onAssign: (taskIds: string[], assignee: string | null) => Promise<void> | void;
}) {
  const [to, setTo] = useState('me');
  const [other, setOther] = useState('');
  const target = to === OTHER ? other.trim() : to;
  const valid =
    to !== OTHER || /^(Practitioner|PractitionerRole|Person)\/[\w\-.]{1,64}$/.test(target);
  return (
    <form
      class="bulk"
      aria-label="Assign the selected items"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid || props.selected.length === 0) return;
        void props.onAssign(props.selected, target === 'none' ? null : target);
      }}
    >
      <span>{props.selected.length} selected</span>
      <label>
        <span class="visually-hidden">Assign to</span>
        <select value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="me">Assign to me</option>
          {props.assignees.map(([ref, name]) => (
            <option value={ref} key={ref}>
              Assign to {name}
            </option>
          ))}
          <option value={OTHER}>Assign to someone else…</option>
          <option value="none">Unassign</option>
        </select>
      </label>
      {to === OTHER && (
        <label>
          <span class="visually-hidden">User reference</span>
          <input
            value={other}
            placeholder="Practitioner/123"
            aria-invalid={!valid}
            onInput={(e) => setOther(e.currentTarget.value)}
          />
        </label>
      )}
      <button type="submit" disabled={props.selected.length === 0 || !valid}>
        Assign
      </button>
    </form>
  );
}
