import {
  hasRetryMiddleware,
  middlewareStackOf,
  operationName,
  ownMiddleware,
  RETRY_MIDDLEWARE,
  type SdkClient,
  type SdkRequestMiddleware,
} from './sdk-middleware.js';
import { SimulatedCrash } from './simulated-crash.js';

/** Returned by {@link countRequests}. */
export interface RequestCounter {
  /** Requests per operation (`{ PutRecord: 3, UpdateItem: 1 }`), a snapshot. */
  counts(): Record<string, number>;
  /** All requests, every operation. */
  total(): number;
  /** Starts counting from zero again. */
  reset(): void;
  /** Removes the middleware; the counts stay readable. Idempotent. */
  remove(): void;
}

/**
 * Counts the requests a real AWS SDK v3 client makes, per operation: one per HTTP attempt, so
 * the SDK's own retries count too (three attempts of one `send` are three requests, as AWS would
 * bill and throttle them). For benchmarks that report AWS requests per operation, and for tests
 * that check how many round trips a protocol takes.
 *
 * The middleware sits right after the SDK's retry middleware, so it sees each attempt. An attempt
 * is counted when it settles (in-flight requests are not in the counts yet). An attempt failed by
 * an `inside-retries` fault of {@link injectFaults} counts as a request the service rejected,
 * except a `crashBefore`, which stands for a request that was never sent. Faults injected
 * `outside-retries` never reach this counter; a `crashAfter` there is counted, since the
 * request really was made.
 *
 * Failure behaviour: throws `Error` for a client created with `cacheMiddleware: true`. Never
 * changes the outcome of a call.
 *
 * @example
 * ```ts
 * const requests = countRequests(kinesis);
 * await store.append('order-1', 0, events);
 * console.log(`requests per append: ${requests.total()}`, requests.counts());
 * requests.remove();
 * ```
 */
export const countRequests = (client: SdkClient): RequestCounter => {
  const own = ownMiddleware(client, 'countRequests', 'tributaryRequestCounter');
  let counts = new Map<string, number>();

  const record = (command: string) => {
    if (!own.removed) counts.set(command, (counts.get(command) ?? 0) + 1);
  };

  const middleware: SdkRequestMiddleware = (next, context) => async (args) => {
    const command = operationName(context);
    try {
      const result = await next(args);
      record(command);
      return result;
    } catch (error) {
      if (!(error instanceof SimulatedCrash && error.phase === 'before')) record(command);
      throw error;
    }
  };

  if (hasRetryMiddleware(client)) {
    middlewareStackOf(client).addRelativeTo(middleware, {
      relation: 'after',
      toMiddleware: RETRY_MIDDLEWARE,
      ...own.identity,
    });
  } else {
    // No retry loop: each send is one attempt, and the first finalizeRequest slot sees it.
    middlewareStackOf(client).add(middleware, {
      step: 'finalizeRequest',
      priority: 'high',
      ...own.identity,
    });
  }

  return {
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((sum, count) => sum + count, 0),
    reset: () => {
      counts = new Map();
    },
    remove: own.remove,
  };
};
