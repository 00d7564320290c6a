/** A chart's key: each series' colour (the same `s0…s4` classes the picture uses) and name. */
export function Legend({ names }: { names: string[] }) {
  return (
    <ul class="legend" aria-label="Key">
      {names.map((n, i) => (
        <li key={n}>
          <span class={`swatch s${i % 5}`} aria-hidden="true" />
          {n}
        </li>
      ))}
    </ul>
  );
}
