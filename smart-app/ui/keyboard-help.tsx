/** The panel's keyboard shortcuts, listed where clinicians can find them. */
export function KeyboardHelp() {
  return (
    <details class="keyboard-help">
      <summary>Keyboard shortcuts</summary>
      <dl>
        <dt>Alt+D / Alt+S</dt>
        <dd>Search diagnoses / services</dd>
        <dt>↑ ↓ Enter</dt>
        <dd>Pick a search result and add it</dd>
        <dt>P</dt>
        <dd>On a diagnosis: make it primary (Alt+↑/↓ moves it)</dd>
        <dt>U / M</dt>
        <dd>On a service: edit units / modifiers</dd>
        <dt>1–9</dt>
        <dd>On a service: point it at that diagnosis (or stop pointing)</dd>
        <dt>Delete</dt>
        <dd>Remove the focused diagnosis or service</dd>
        <dt>Ctrl+S / Ctrl+Enter</dt>
        <dd>Save draft / sign off</dd>
      </dl>
    </details>
  );
}
