import { render } from 'preact';
import { sessionHandle } from './api.ts';
import { App } from './app.tsx';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App handle={sessionHandle()} />, root);
}
