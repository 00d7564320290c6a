import { render } from 'preact';
import { billingSession } from './api.ts';
import { BillingApp } from './billing-app.tsx';

const root = document.getElementById('billing');
if (root) {
  root.textContent = '';
  render(<BillingApp handle={billingSession()} />, root);
}
