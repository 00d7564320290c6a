import { randomToken } from './pkce.ts';

/** What the app remembers between the redirect to the EHR and the callback. */
export interface PendingLaunch {
  iss: string;
  tokenEndpoint: string;
  codeVerifier: string;
  redirectUri: string;
  scope: string;
  /** SHA-256 of the browser binding secret (browser-binding.ts): only that browser may finish. */
  bindingHash: string;
  createdAt: number;
}

/**
 * Launches waiting for their callback, keyed by `state`. A state is unpredictable, used once and
 * expires after `ttlMs` (RFC 6749 §10.12; SMART App Launch 2.2 §2.1.6).
 */
export class PendingLaunches {
  private readonly byState = new Map<string, PendingLaunch>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Stores a launch and returns its fresh `state`. */
  add(launch: Omit<PendingLaunch, 'createdAt'>): string {
    this.sweep();
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
    for (const [state, launch] of this.byState) if (launch.createdAt < cutoff) this.byState.delete(state);
  }
}
