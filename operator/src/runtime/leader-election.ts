import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.ts';
import { isKubeStatus } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../kube/resource-paths.ts';
import { sleep } from './backoff.ts';
import { errorMessage } from './informer.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  /** The leader gives up if it could not renew for this long (shorter than the lease). */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
  onStartedLeading: () => Promise<void> | void;
  onStoppedLeading: () => Promise<void> | void;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: every write carries the
 * resourceVersion it read, so two candidates cannot both win; a lease is taken over only when its
 * record has not changed for a whole lease duration by this process's own clock (no clock-skew
 * trust); the leader renews every retry period and stops leading when it could not renew within
 * the renew deadline; on stop it releases the lease so a standby need not wait for it to expire.
 */
export class LeaderElector {
  private leading = false;
  /** When the lease was last read or written (held or not): the loop can see the API server. */
  private lastContact = 0;
  private observedRecord = '';
  private observedAt = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private lastLease: Lease | undefined;

  private readonly client: KubeClient;
  private readonly options: LeaderElectionOptions;

  constructor(client: KubeClient, options: LeaderElectionOptions) {
    this.client = client;
    this.options = options;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * The lease loop reached the lease within the last lease duration: a standby in this state can
   * take over in time; one that cannot see the lease could not.
   */
  get leaseHealthy(): boolean {
    return this.lastContact > 0 && Date.now() - this.lastContact < this.options.leaseDurationSeconds * 1000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Steps down: stops the controllers, then releases the lease if this process holds it. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.options.onStoppedLeading();
    }
    await this.release();
  }

  /** Callbacks run beside the renew loop: a slow controller start must not delay renewals. */
  private fire(callback: () => Promise<void> | void): void {
    Promise.resolve()
      .then(callback)
      .catch((error: unknown) =>
        this.options.logger.error({ err: errorMessage(error) }, 'Failed to run leader callback'),
      );
  }

  private get path(): string {
    return resourcePath(RESOURCES.leases, this.options.namespace, this.options.name);
  }

  private async run(): Promise<void> {
    const { logger, retryPeriodMs, renewDeadlineMs } = this.options;
    let lastRenew = 0;
    while (!this.abort.signal.aborted) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
        this.lastContact = Date.now();
      } catch (error) {
        logger.warn(
          { err: errorMessage(error), lease: this.options.name },
          'Failed to acquire or renew lease',
        );
      }
      if (this.abort.signal.aborted) break;
      if (held) {
        lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          logger.info({ lease: this.options.name, identity: this.options.identity }, 'Became leader');
          this.fire(this.options.onStartedLeading);
        }
      } else if (this.leading && Date.now() - lastRenew >= renewDeadlineMs) {
        this.leading = false;
        logger.warn({ lease: this.options.name, identity: this.options.identity }, 'Lost leadership');
        this.fire(this.options.onStoppedLeading);
      } else if (this.leading && !held && this.lastLease?.spec?.holderIdentity !== this.options.identity) {
        // Someone else holds the lease now: stop at once rather than at the renew deadline.
        this.leading = false;
        logger.warn(
          { lease: this.options.name, holder: this.lastLease?.spec?.holderIdentity },
          'Lost leadership',
        );
        this.fire(this.options.onStoppedLeading);
      }
      await sleep(retryPeriodMs, this.abort.signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const nowIso = microTime(now);
    const mine: LeaseSpec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.options.leaseDurationSeconds,
      renewTime: nowIso,
    };
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(this.path);
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw error;
      try {
        this.lastLease = await this.client.create<Lease>(
          resourcePath(RESOURCES.leases, this.options.namespace),
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec: { ...mine, acquireTime: nowIso, leaseTransitions: 0 },
          },
        );
        return true;
      } catch (createError) {
        if (isKubeStatus(createError, 409)) return false;
        throw createError;
      }
    }
    this.lastLease = lease;
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now.getTime();
    }
    const holder = spec.holderIdentity ?? '';
    const isMine = holder === this.options.identity;
    const durationMs = (spec.leaseDurationSeconds ?? this.options.leaseDurationSeconds) * 1000;
    if (!isMine && holder !== '' && this.observedAt + durationMs > now.getTime()) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        ...mine,
        acquireTime: isMine ? spec.acquireTime : nowIso,
        leaseTransitions: isMine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      this.lastLease = await this.client.replace<Lease>(this.path, next);
      return true;
    } catch (error) {
      if (isKubeStatus(error, 409)) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const lease = this.lastLease;
    if (lease?.spec?.holderIdentity !== this.options.identity) return;
    try {
      await this.client.replace<Lease>(this.path, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      });
      this.options.logger.info(
        { lease: this.options.name, identity: this.options.identity },
        'Released lease',
      );
    } catch (error) {
      this.options.logger.warn(
        { err: errorMessage(error), lease: this.options.name },
        'Failed to release lease',
      );
    }
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
