import { discoverSmart, type SmartConfiguration } from './discover-smart.ts';

interface Entry {
  config: Promise<SmartConfiguration>;
  expiresAt: number;
}

/**
 * SMART discovery results per `iss`, kept for `ttlMs`. A launch is an anonymous request: without
 * the cache each one made the app fetch the EHR's smart-configuration, so anyone could make
 * ChartBill hammer the EHR. Concurrent launches share one fetch; a failed fetch is not kept, so
 * the next launch tries again.
 */
export class DiscoveryCache {
  private readonly byIss = new Map<string, Entry>();

  constructor(private readonly deps: { fetch: typeof fetch; now: () => number; ttlMs: number }) {}

  /** The EHR's SMART configuration, from the cache while it is fresh. */
  get(iss: string): Promise<SmartConfiguration> {
    const now = this.deps.now();
    const cached = this.byIss.get(iss);
    if (cached && now < cached.expiresAt) return cached.config;
    const config = discoverSmart(iss, this.deps.fetch);
    this.byIss.set(iss, { config, expiresAt: now + this.deps.ttlMs });
    config.catch(() => {
      if (this.byIss.get(iss)?.config === config) this.byIss.delete(iss);
    });
    return config;
  }
}
