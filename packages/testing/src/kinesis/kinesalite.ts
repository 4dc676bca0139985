import type { Server } from 'node:http';
import kinesalite from 'kinesalite';
import { listenInProcess } from '../internal/in-process-server.js';
import type { LocalEmulator } from '../internal/local-emulator.js';

/**
 * Options of {@link startKinesalite}.
 *
 * @example
 * ```ts
 * // Streams become ACTIVE after 50 ms instead of at once, to exercise CREATING.
 * const kinesis = await startKinesalite({ stateChangeMs: 50 } satisfies KinesaliteOptions);
 * ```
 */
export interface KinesaliteOptions {
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Shards allowed per account (default 1,000, enough for parallel test files). */
  readonly shardLimit?: number;
  /** How long CreateStream/DeleteStream/UpdateShardCount take to settle (default 0 ms). */
  readonly stateChangeMs?: number;
}

/**
 * Starts kinesalite in this process: an in-memory Kinesis emulator that starts in ~10 ms and
 * keeps ordering and sequence numbers exact (it has no enhanced fan-out, UpdateShardCount or
 * ChildShards: use {@link startKinesisMock} for those).
 *
 * @example
 * ```ts
 * const kinesis = await startKinesalite();
 * const client = new KinesisClient(localClientConfig(kinesis.endpoint));
 * await kinesis.stop();
 * ```
 */
export const startKinesalite = async (options: KinesaliteOptions = {}): Promise<LocalEmulator> => {
  const stateChangeMs = options.stateChangeMs ?? 0;
  const server: Server = kinesalite({
    createStreamMs: stateChangeMs,
    deleteStreamMs: stateChangeMs,
    updateStreamMs: stateChangeMs,
    shardLimit: options.shardLimit ?? 1_000,
  });
  return listenInProcess('kinesalite', server, options.port);
};
