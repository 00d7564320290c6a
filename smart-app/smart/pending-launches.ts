import { AppError } from '../../src/errors/app-error.ts';
import { randomToken } from './pkce.ts';

/** What the app remembers between the redirect to the EHR and the callback. */
export interface PendingLaunch {
  iss: string;
  tokenEndpoint: string;
  codeVerifier: string;
  redirectUri: string;
  scope: string;
  /** From the EHR's smart-configuration: to verify the id_token and to revoke at sign-out. */
  issuer: string | undefined;
  jwksUri: string | undefined;
  revocationEndpoint: string | undefined;
  /** SHA-256 of the browser binding secret (browser-binding.ts): only that browser may finish. */
  bindingHash: string;
  createdAt: number;
}

/**
 * Launches waiting for their callback, keyed by `state`. A state is unpredictable, used once and
 * expires after `ttlMs` (RFC 6749 §10.12; SMART App Launch 2.2 §2.1.6). At most `max` wait at
 * once: a launch is an anonymous request, so memory must not grow with what strangers send.
 */
export class PendingLaunches {
  private readonly byState = new Map<string, PendingLaunch>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly max = 5000,
  ) {}

  /** Stores a launch and returns its fresh `state`; refuses when `max` launches are waiting. */
  add(launch: Omit<PendingLaunch, 'createdAt'>): string {
    this.sweep();
    if (this.byState.size >= this.max) {
      // Refuse the newcomer rather than evict a waiting launch: a flood must not cancel real sign-ins.
      throw new AppError(
        'LAUNCHES_BUSY',
        'ChartBill has too many sign-ins in progress right now.',
        {
          hint: 'Wait a minute and relaunch ChartBill from your EHR; if it keeps happening, tell IT.',
        },
      );
    }
    const state = randomToken(32);
    this.byState.set(state, { ...launch, createdAt: this.now() });
    return state;
  }

  /** Returns and forgets the launch for `state`; undefined when unknown, used or expired. */
  take(state: string): PendingLaunch | undefined {
    const launch = this.byState.get(state);
    this.byState.delete(state);
    if (!launch || this.now() - launch.createdAt > this.ttlMs) return undefined;
    return launch;
  }

  /** The launch for `state` without using it up; undefined when unknown, used or expired. */
  peek(state: string): PendingLaunch | undefined {
    const launch = this.byState.get(state);
    return launch && this.now() - launch.createdAt <= this.ttlMs ? launch : undefined;
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [state, launch] of this.byState)
      if (launch.createdAt < cutoff) this.byState.delete(state);
  }
}
