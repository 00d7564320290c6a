import { AppError } from '../../src/errors/app-error.ts';
import type { SessionBackend, StoredLaunch } from '../session/session-backend.ts';
import type { SessionSealer } from '../session/session-sealer.ts';
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
  /** `billing`: a billing workspace sign-in (issue 17), which lands on `/billing`; absent: the chart app. */
  workspace?: 'billing';
  createdAt: number;
}

/**
 * Launches waiting for their callback, keyed by `state`. A state is unpredictable, used once and
 * expires after `ttlMs` (RFC 6749 §10.12; SMART App Launch 2.2 §2.1.6). At most `max` wait at
 * once: a launch is an anonymous request, so storage must not grow with what strangers send.
 * They live in the session store's backend, sealed (the PKCE verifier is a secret), so the
 * callback may reach another instance than the launch, or the same one after a restart.
 */
export class PendingLaunches {
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly max: number,
    private readonly backend: SessionBackend,
    private readonly sealer: SessionSealer,
  ) {}

  /** Stores a launch and returns its fresh `state`; refuses when `max` launches are waiting. */
  async add(launch: Omit<PendingLaunch, 'createdAt'>): Promise<string> {
    const state = randomToken(32);
    const createdAt = this.now();
    const sealed = this.sealer.seal(JSON.stringify({ ...launch, createdAt }), `launch:${state}`);
    const added = await this.backend.addLaunch(
      state,
      { sealed, createdAt },
      { max: this.max, cutoff: createdAt - this.ttlMs, ttlMs: this.ttlMs },
    );
    if (!added) {
      // Refuse the newcomer rather than evict a waiting launch: a flood must not cancel real sign-ins.
      throw new AppError(
        'LAUNCHES_BUSY',
        'ChartBill has too many sign-ins in progress right now.',
        {
          hint: 'Wait a minute and relaunch ChartBill from your EHR; if it keeps happening, tell IT.',
        },
      );
    }
    return state;
  }

  /** Returns and forgets the launch for `state`; undefined when unknown, used or expired. */
  async take(state: string): Promise<PendingLaunch | undefined> {
    return this.open(state, await this.backend.takeLaunch(state));
  }

  /** The launch for `state` without using it up; undefined when unknown, used or expired. */
  async peek(state: string): Promise<PendingLaunch | undefined> {
    return this.open(state, await this.backend.peekLaunch(state));
  }

  private open(state: string, stored: StoredLaunch | undefined): PendingLaunch | undefined {
    const plain = stored && this.sealer.open(stored.sealed, `launch:${state}`);
    if (!plain) return undefined;
    const launch = JSON.parse(plain) as PendingLaunch;
    return this.now() - launch.createdAt > this.ttlMs ? undefined : launch;
  }
}
