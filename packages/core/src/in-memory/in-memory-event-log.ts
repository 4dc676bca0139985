import type { Commit } from '../commit.js';

/** A commit with its position in the log (0-based, in append order). */
export interface LoggedCommit {
  readonly position: number;
  readonly commit: Commit;
}

/** Receives batches of commits in log order. A rejection stops the subscription. */
export type CommitListener = (batch: readonly LoggedCommit[]) => Promise<void> | void;

/** Options of {@link InMemoryEventLog.subscribe}. */
export interface SubscribeOptions {
  /** The first position to deliver (default 0: the whole log). */
  readonly fromPosition?: number;
  /** The largest batch handed to the listener (default 100). */
  readonly batchSize?: number;
}

/** A running subscription. */
export interface Subscription {
  /** Stops delivering; the batch in flight finishes. */
  unsubscribe(): void;
  /** Resolves once every commit appended so far was delivered; rejects if the listener failed. */
  caughtUp(): Promise<void>;
  /** The next position this subscription will deliver. */
  readonly position: number;
}

/**
 * The global, ordered log of commits of an in-memory event store: what Kinesis is for the real
 * store. Projection runners and other consumers subscribe to it; each subscriber gets every
 * commit once, in append order, one batch at a time.
 *
 * @example
 * ```ts
 * const log = new InMemoryEventLog();
 * const eventStore = new InMemoryEventStore({ log });
 * const subscription = log.subscribe((batch) => runner.handle(batch.map((entry) => entry.commit)));
 * await subscription.caughtUp();
 * ```
 */
export class InMemoryEventLog {
  readonly #commits: Commit[] = [];
  readonly #wakers = new Set<() => void>();

  /** Appends a commit; returns its position. */
  append(commit: Commit): number {
    this.#commits.push(commit);
    for (const wake of this.#wakers) wake();
    return this.#commits.length - 1;
  }

  /** How many commits the log holds. */
  get length(): number {
    return this.#commits.length;
  }

  /** Reads up to `limit` commits from `fromPosition`. */
  read(fromPosition = 0, limit = Number.POSITIVE_INFINITY): LoggedCommit[] {
    const end = Math.min(this.#commits.length, fromPosition + limit);
    const batch: LoggedCommit[] = [];
    for (let position = fromPosition; position < end; position += 1) {
      const commit = this.#commits[position];
      if (commit !== undefined) batch.push({ position, commit });
    }
    return batch;
  }

  /** Delivers every commit from `fromPosition` on, and each new one as it is appended. */
  subscribe(listener: CommitListener, options: SubscribeOptions = {}): Subscription {
    const batchSize = options.batchSize ?? 100;
    let position = options.fromPosition ?? 0;
    let active = true;
    let failure: unknown;
    let pumping = false;
    const idleWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

    const settleWaiters = () => {
      if (failure === undefined && position < this.#commits.length && active) return;
      for (const waiter of idleWaiters.splice(0)) {
        if (failure === undefined) waiter.resolve();
        else waiter.reject(failure);
      }
    };

    const pump = async () => {
      pumping = true;
      while (active && failure === undefined && position < this.#commits.length) {
        const batch = this.read(position, batchSize);
        try {
          await listener(batch);
          position += batch.length;
        } catch (error) {
          failure = error;
          active = false;
        }
      }
      pumping = false;
      settleWaiters();
    };

    const wake = () => {
      if (!pumping && active) void pump();
    };
    this.#wakers.add(wake);
    wake();

    return {
      unsubscribe: () => {
        active = false;
        this.#wakers.delete(wake);
        settleWaiters();
      },
      caughtUp: () =>
        new Promise<void>((resolve, reject) => {
          idleWaiters.push({ resolve, reject });
          if (!pumping) settleWaiters();
        }),
      get position() {
        return position;
      },
    };
  }
}
