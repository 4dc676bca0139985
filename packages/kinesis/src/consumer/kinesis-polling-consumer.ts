import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import {
  type AnyEventType,
  type CheckpointStore,
  createEventRegistry,
  type DomainEvent,
  type EventRegistry,
  type EventUpcasters,
  type Lease,
  type LeaseStore,
  type PutCheckpointOptions,
  type UnknownEventPolicy,
} from '@tributary/core';
import type { HandlerLogger } from '../lambda/handler-logger.js';
import {
  createKinesisHandler,
  type KinesisCommitSink,
  type KinesisHandler,
  type QuarantineCallback,
} from '../lambda/kinesis-handler.js';
import type { KinesisStreamRecord } from '../lambda/kinesis-stream-event.js';

/** The checkpoint position of a closed shard read to its end: its children may start. */
export const SHARD_END = 'SHARD_END';

/** Lease partitions that announce a live worker (not shards): `__worker__/<workerId>`. */
const WORKER_PREFIX = '__worker__/';

/**
 * Where a shard without a checkpoint is read from.
 *
 * @example
 * ```ts
 * const startAt: StartPosition = { timestamp: new Date(Date.now() - 3_600_000) };
 * ```
 */
export type StartPosition = 'TRIM_HORIZON' | 'LATEST' | { readonly timestamp: Date };

interface CommonOptions<E extends DomainEvent> {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** The consumer's name: the key of its checkpoints and leases. */
  readonly consumerName: string;
  readonly sink: KinesisCommitSink<E>;
  readonly checkpoints: CheckpointStore;
  /** Share the shards with other workers of the same consumer. Without it, this worker reads all. */
  readonly leases?: LeaseStore;
  /** This worker's id among the lease owners (default: a random one). */
  readonly workerId?: string;
  /** Lease time to live (default 30 s); leases are renewed every third of it. */
  readonly leaseTtlMs?: number;
  /** Where shards without a checkpoint start (default `TRIM_HORIZON`). */
  readonly startAt?: StartPosition;
  readonly quarantine?: QuarantineCallback;
  readonly onUnknownEventType?: UnknownEventPolicy;
  /** Default: a logger that drops everything. */
  readonly logger?: HandlerLogger;
  /** Pause of `run` after a pass that read nothing (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** GetRecords `Limit` (default 1000, at most 10,000). */
  readonly maxRecordsPerCall?: number;
  /** Longest back-off after throttling or sink failures (default 30 s). */
  readonly maxBackoffMs?: number;
  /** GetRecords calls per shard in one pass at most (default 100). */
  readonly maxCallsPerShardPerPass?: number;
  readonly clock?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Options of {@link KinesisPollingConsumer}: a `registry`, or `eventTypes` with `upcasters`.
 *
 * @example
 * ```ts
 * const options: KinesisPollingConsumerOptions = {
 *   kinesis, streamName: 'commits', consumerName: 'projector', eventTypes, sink, checkpoints,
 * };
 * ```
 */
export type KinesisPollingConsumerOptions<E extends DomainEvent = DomainEvent> = CommonOptions<E> &
  (
    | { readonly registry: EventRegistry<E> }
    | {
        readonly eventTypes: readonly AnyEventType[];
        readonly upcasters?: readonly EventUpcasters[];
      }
  );

/** What one pass did to one shard. */
export interface ShardPassReport {
  readonly shardId: string;
  /** Records read from Kinesis (aggregates count once). */
  readonly records: number;
  /** Records whose commits the sink handled (or that were quarantined) and were checkpointed. */
  readonly handledRecords: number;
  /** The checkpoint after the pass. */
  readonly checkpoint: string | undefined;
  /** The shard is closed and was read to its end in this pass. */
  readonly ended: boolean;
  readonly throttled: boolean;
  /** Why the pass stopped early on this shard: the sink's (or quarantine's) error, a lost lease. */
  readonly failure?: unknown;
  readonly lostLease?: boolean;
}

/**
 * What {@link KinesisPollingConsumer.runOnce} did.
 *
 * @example
 * ```ts
 * const report = await consumer.runOnce();
 * console.log(report.records, report.owned);
 * ```
 */
export interface PollReport {
  readonly shards: readonly ShardPassReport[];
  /** Records read in the pass, over all shards. */
  readonly records: number;
  /** Shards this worker held (or, without leases, could read) in the pass. */
  readonly owned: readonly string[];
  readonly throttled: boolean;
  readonly failed: boolean;
}

interface OwnedShard {
  lease: Lease | undefined;
  /** The checkpoint as this worker last saw or wrote it: `null` when there was none. */
  position: string | null;
  iterator: string | undefined;
}

const silentLogger: HandlerLogger = { info() {}, warn() {}, error() {} };

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

const isThrottling = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: string; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(candidate.name ?? '') || candidate.$retryable?.throttling === true;
};

const nameOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;

const toLambdaRecord = (
  shardId: string,
  record: NonNullable<GetRecordsCommandOutput['Records']>[number],
): KinesisStreamRecord => ({
  eventID: `${shardId}:${record.SequenceNumber ?? ''}`,
  eventSource: 'aws:kinesis',
  eventName: 'aws:kinesis:record',
  kinesis: {
    data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
    sequenceNumber: record.SequenceNumber ?? '',
    partitionKey: record.PartitionKey ?? '',
    ...(record.ApproximateArrivalTimestamp === undefined
      ? {}
      : { approximateArrivalTimestamp: record.ApproximateArrivalTimestamp.getTime() / 1000 }),
  },
});

/**
 * Reads a Kinesis stream of commits by polling (for containers, scripts and local runs) and feeds
 * them to a sink in record order, per shard. Records are decoded exactly as by the Lambda handler
 * (`createKinesisHandler`: base64, KPL de-aggregation, commit codec, upcasters, quarantine).
 *
 * - A child shard is read only after its parents (split and merge) are read to their end; a shard
 *   read to its end is checkpointed as {@link SHARD_END}.
 * - After each batch the sink handled, the shard's last handled sequence number is checkpointed
 *   (conditional on the previous position, and with the lease's token as `leaseToken` fence, which
 *   `DynamoDBCheckpointStore` enforces). When the sink fails part-way, the checkpoint stops at the
 *   last handled record and the shard is read again from there after a back-off.
 * - With `leases`, workers share the shards: each announces itself with a worker lease, takes free
 *   or expired shard leases up to a fair share, gives up what exceeds it, renews its leases every
 *   third of the TTL and drops a shard whose lease it lost. A dead worker's leases expire and are
 *   taken over from their checkpoints (commits may be delivered again: drop them by version).
 *
 * @example
 * ```ts
 * const consumer = new KinesisPollingConsumer({
 *   kinesis, streamName: 'commits', consumerName: 'projector',
 *   eventTypes: [ProductCreated, ProductPriced],
 *   sink: async (commits) => { for (const { commit } of commits) await project(commit); },
 *   checkpoints: new DynamoDBCheckpointStore({ client: dynamodb, tableName: 'consumers' }),
 *   leases: new DynamoDBLeaseStore({ client: dynamodb, tableName: 'consumers' }),
 * });
 * const stop = new AbortController();
 * process.once('SIGTERM', () => stop.abort());
 * await consumer.run(stop.signal);
 * ```
 */
export class KinesisPollingConsumer<E extends DomainEvent = DomainEvent> {
  /** Shards whose parents this consumer read to SHARD_END: they start at TRIM_HORIZON. */
  readonly #childShards = new Set<string>();
  readonly #kinesis: KinesisClient;
  readonly #streamName: string;
  readonly #consumer: string;
  readonly #checkpoints: CheckpointStore;
  readonly #leases: LeaseStore | undefined;
  readonly #workerId: string;
  readonly #leaseTtlMs: number;
  readonly #startAt: StartPosition;
  readonly #logger: HandlerLogger;
  readonly #pollIntervalMs: number;
  readonly #limit: number;
  readonly #maxBackoffMs: number;
  readonly #maxCalls: number;
  readonly #clock: () => Date;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #handler: KinesisHandler;
  readonly #owned = new Map<string, OwnedShard>();
  #workerLease: Lease | undefined;
  #lastRenewal = 0;
  #lastSinkError: unknown;

  constructor(options: KinesisPollingConsumerOptions<E>) {
    this.#kinesis = options.kinesis;
    this.#streamName = options.streamName;
    this.#consumer = options.consumerName;
    this.#checkpoints = options.checkpoints;
    this.#leases = options.leases;
    this.#workerId = options.workerId ?? `worker-${Math.random().toString(36).slice(2, 10)}`;
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.#startAt = options.startAt ?? 'TRIM_HORIZON';
    this.#logger = options.logger ?? silentLogger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#limit = options.maxRecordsPerCall ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#maxCalls = options.maxCallsPerShardPerPass ?? 100;
    this.#clock = options.clock ?? (() => new Date());
    this.#sleep = options.sleep ?? defaultSleep;
    if (!Number.isInteger(this.#limit) || this.#limit < 1 || this.#limit > 10_000) {
      throw new RangeError(`maxRecordsPerCall must be an integer in 1..10000, got ${this.#limit}`);
    }
    const registry: EventRegistry<E> =
      'registry' in options
        ? options.registry
        : (createEventRegistry(options.eventTypes, {
            ...(options.upcasters === undefined ? {} : { upcasters: options.upcasters }),
            onUnknownType: 'skip',
          }) as unknown as EventRegistry<E>);
    const userSink = options.sink;
    this.#handler = createKinesisHandler<E>({
      registry,
      sink: async (commits) => {
        try {
          const result = await userSink(commits);
          if (result !== undefined && result.handled < commits.length) {
            this.#lastSinkError = result.error ?? new Error('the sink did not handle every commit');
          }
          return result;
        } catch (error) {
          this.#lastSinkError = error;
          throw error;
        }
      },
      ...(options.quarantine === undefined ? {} : { quarantine: options.quarantine }),
      ...(options.onUnknownEventType === undefined
        ? {}
        : { onUnknownEventType: options.onUnknownEventType }),
      logger: this.#logger,
    });
  }

  /** This worker's id among lease owners. */
  get workerId(): string {
    return this.#workerId;
  }

  /** The shards this worker holds (or last read, without leases). */
  get ownedShards(): readonly string[] {
    return [...this.#owned.keys()].sort();
  }

  /**
   * Polls until `signal` aborts: one {@link runOnce} pass after another, pausing `pollIntervalMs`
   * after a pass that read nothing and backing off exponentially after throttling or failures.
   * On abort, the batch in flight is finished and checkpointed and the leases are released.
   */
  async run(signal?: AbortSignal): Promise<void> {
    let failures = 0;
    const aborted = () => signal?.aborted === true;
    try {
      while (!aborted()) {
        let report: PollReport | undefined;
        try {
          report = await this.runOnce(signal);
        } catch (error) {
          this.#logger.error('polling pass failed', { error: String(error) });
        }
        if (aborted()) break;
        if (report === undefined || report.throttled || report.failed) {
          failures += 1;
          const backoff = Math.min(this.#maxBackoffMs, this.#pollIntervalMs * 2 ** (failures - 1));
          await this.#sleep(backoff * (0.5 + Math.random() / 2), signal);
        } else {
          failures = 0;
          if (report.records === 0) await this.#sleep(this.#pollIntervalMs, signal);
        }
      }
    } finally {
      await this.releaseAll();
    }
  }

  /** Gives up every lease this worker holds (done by `run` when it stops). */
  async releaseAll(): Promise<void> {
    const leases = this.#leases;
    const held = [...this.#owned.values()];
    this.#owned.clear();
    if (leases === undefined) return;
    for (const shard of held) {
      if (shard.lease !== undefined) await leases.release(shard.lease);
    }
    if (this.#workerLease !== undefined) await leases.release(this.#workerLease);
    this.#workerLease = undefined;
  }

  /**
   * One pass: lists the shards, balances leases, and reads every shard this worker may read until
   * it is caught up (or closed, or `maxCallsPerShardPerPass` calls were made), handing each batch
   * to the sink and checkpointing it. Does not sleep.
   */
  async runOnce(signal?: AbortSignal): Promise<PollReport> {
    const reports: ShardPassReport[] = [];
    // A shard that ended makes its children readable: go on with them in the same pass.
    for (;;) {
      const pass = await this.#pass(signal);
      reports.push(...pass);
      if (signal?.aborted === true || !pass.some((report) => report.ended)) break;
    }
    return {
      shards: reports,
      records: reports.reduce((sum, report) => sum + report.records, 0),
      owned: this.ownedShards,
      throttled: reports.some((report) => report.throttled),
      failed: reports.some((report) => report.failure !== undefined),
    };
  }

  async #pass(signal: AbortSignal | undefined): Promise<ShardPassReport[]> {
    const shards = await this.#listShards();
    const checkpoints = await this.#listCheckpoints();
    const shardIds = new Set(shards.map((shard) => shard.ShardId ?? ''));
    const ended = (shardId: string | undefined) =>
      shardId === undefined || !shardIds.has(shardId) || checkpoints.get(shardId) === SHARD_END;
    const readable = shards
      .filter(
        (shard) =>
          !ended(shard.ShardId) && ended(shard.ParentShardId) && ended(shard.AdjacentParentShardId),
      )
      .map((shard) => shard.ShardId ?? '');
    // A child of a parent this consumer read to its end starts at its beginning, whatever
    // `startAt` says: starting it at LATEST (or a timestamp) would skip what was written to it
    // between the reshard and its first read.
    const listedParent = (shardId: string | undefined) =>
      shardId !== undefined && shardIds.has(shardId) && checkpoints.get(shardId) === SHARD_END;
    for (const shard of shards) {
      if (listedParent(shard.ParentShardId) || listedParent(shard.AdjacentParentShardId)) {
        this.#childShards.add(shard.ShardId ?? '');
      }
    }
    await this.#balance(readable, checkpoints);

    const reports: ShardPassReport[] = [];
    for (const shardId of readable) {
      if (signal?.aborted === true) break;
      const owned = this.#owned.get(shardId);
      if (owned === undefined) continue;
      reports.push(await this.#readShard(shardId, owned, signal));
    }
    return reports;
  }

  /** Alias of {@link runOnce}. */
  poll(signal?: AbortSignal): Promise<PollReport> {
    return this.runOnce(signal);
  }

  async #listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#kinesis.send(
        NextToken === undefined
          ? new ListShardsCommand({ StreamName: this.#streamName })
          : new ListShardsCommand({ NextToken }),
      );
      shards.push(...(page.Shards ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    return shards;
  }

  async #listCheckpoints(): Promise<Map<string, string>> {
    const listed = await this.#checkpoints.list(this.#consumer);
    if (listed.isErr()) throw new Error(`cannot list checkpoints: ${listed.error.message}`);
    return new Map([...listed.value].map(([shard, checkpoint]) => [shard, checkpoint.position]));
  }

  /** Decides which of the readable shards this worker reads in this pass. */
  async #balance(readable: readonly string[], checkpoints: ReadonlyMap<string, string>) {
    const leases = this.#leases;
    // Shards no longer readable (ended, or not yet) are let go.
    for (const [shardId, owned] of this.#owned) {
      if (!readable.includes(shardId)) await this.#drop(shardId, owned, true);
    }
    if (leases === undefined) {
      for (const shardId of readable) {
        if (!this.#owned.has(shardId)) {
          this.#owned.set(shardId, {
            lease: undefined,
            position: checkpoints.get(shardId) ?? null,
            iterator: undefined,
          });
        }
      }
      return;
    }
    await this.#renewAll(true);
    const listed = await leases.list(this.#consumer);
    if (listed.isErr()) throw new Error(`cannot list leases: ${listed.error.message}`);
    const now = this.#clock().getTime();
    const live = listed.value.filter((lease) => Date.parse(lease.expiresAt) > now);
    const workers = new Set(
      live.filter((lease) => lease.partition.startsWith(WORKER_PREFIX)).map((lease) => lease.owner),
    );
    workers.add(this.#workerId);
    const share = Math.ceil(readable.length / workers.size);
    const floor = Math.floor(readable.length / workers.size);
    const held = new Map<string, number>([...workers].map((worker) => [worker, 0]));
    for (const lease of live) {
      if (lease.partition.startsWith(WORKER_PREFIX) || lease.owner === this.#workerId) continue;
      held.set(lease.owner, (held.get(lease.owner) ?? 0) + 1);
    }
    held.delete(this.#workerId);
    const starving = [...held.values()].some((count) => count < floor);
    // Give up what exceeds the fair share, so that new workers get theirs: down to the rounded-up
    // share, and one more while another worker has less than the rounded-down share.
    const mine = [...this.#owned.keys()].sort();
    const keep = starving && mine.length > floor ? Math.min(share, mine.length - 1) : share;
    for (const shardId of mine.slice(keep)) {
      const owned = this.#owned.get(shardId);
      if (owned !== undefined) await this.#drop(shardId, owned, true);
    }
    const heldByOthers = new Set(
      live
        .filter(
          (lease) => lease.owner !== this.#workerId && !lease.partition.startsWith(WORKER_PREFIX),
        )
        .map((lease) => lease.partition),
    );
    for (const shardId of readable) {
      if (this.#owned.size >= keep) break;
      if (this.#owned.has(shardId) || heldByOthers.has(shardId)) continue;
      const taken = await leases.acquire(this.#consumer, shardId, this.#workerId, this.#leaseTtlMs);
      if (taken.isErr() || taken.value === undefined) continue;
      // Read the checkpoint after taking the lease: the previous owner wrote its last one before.
      const checkpoint = await this.#checkpoints.get(this.#consumer, shardId);
      if (checkpoint.isErr()) {
        await leases.release(taken.value);
        continue;
      }
      this.#owned.set(shardId, {
        lease: taken.value,
        position: checkpoint.value?.position ?? null,
        iterator: undefined,
      });
      this.#logger.info('shard lease taken', {
        shardId,
        workerId: this.#workerId,
        checkpoint: checkpoint.value?.position,
      });
    }
  }

  async #drop(shardId: string, owned: OwnedShard, release: boolean) {
    this.#owned.delete(shardId);
    if (release && owned.lease !== undefined && this.#leases !== undefined) {
      await this.#leases.release(owned.lease);
    }
  }

  /** Renews the worker lease and every shard lease when a third of the TTL has passed (or `force`). */
  async #renewAll(force: boolean) {
    const leases = this.#leases;
    if (leases === undefined) return;
    const now = this.#clock().getTime();
    if (!force && now - this.#lastRenewal < this.#leaseTtlMs / 3) return;
    this.#lastRenewal = now;
    const worker =
      this.#workerLease === undefined
        ? undefined
        : await leases.renew(this.#workerLease, this.#leaseTtlMs);
    if (worker?.isOk() === true && worker.value !== undefined) {
      this.#workerLease = worker.value;
    } else {
      const taken = await leases.acquire(
        this.#consumer,
        `${WORKER_PREFIX}${this.#workerId}`,
        this.#workerId,
        this.#leaseTtlMs,
      );
      this.#workerLease = taken.isOk() ? taken.value : undefined;
    }
    for (const [shardId, owned] of [...this.#owned]) {
      if (owned.lease === undefined) continue;
      const renewed = await leases.renew(owned.lease, this.#leaseTtlMs);
      if (renewed.isErr()) continue; // try again later; the lease may still be valid
      if (renewed.value === undefined) {
        this.#owned.delete(shardId);
        this.#logger.warn('shard lease lost', { shardId, workerId: this.#workerId });
      } else {
        owned.lease = renewed.value;
      }
    }
  }

  async #iteratorFor(shardId: string, owned: OwnedShard): Promise<string | undefined> {
    const start = this.#childShards.has(shardId) ? 'TRIM_HORIZON' : this.#startAt;
    const input =
      owned.position !== null
        ? {
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as ShardIteratorType,
            StartingSequenceNumber: owned.position,
          }
        : start === 'TRIM_HORIZON' || start === 'LATEST'
          ? { ShardIteratorType: start as ShardIteratorType }
          : { ShardIteratorType: 'AT_TIMESTAMP' as ShardIteratorType, Timestamp: start.timestamp };
    const result = await this.#kinesis.send(
      new GetShardIteratorCommand({ StreamName: this.#streamName, ShardId: shardId, ...input }),
    );
    return result.ShardIterator;
  }

  async #checkpoint(shardId: string, owned: OwnedShard, position: string): Promise<boolean> {
    const options: PutCheckpointOptions & { leaseToken?: number } = {
      expectedPosition: owned.position,
      ...(owned.lease === undefined ? {} : { leaseToken: owned.lease.token }),
    };
    const put = await this.#checkpoints.put(this.#consumer, shardId, position, options);
    if (put.isErr()) {
      this.#logger.warn('checkpoint refused; dropping the shard', {
        shardId,
        position,
        error: put.error.message,
      });
      return false;
    }
    owned.position = position;
    return true;
  }

  async #readShard(
    shardId: string,
    owned: OwnedShard,
    signal: AbortSignal | undefined,
  ): Promise<ShardPassReport> {
    let records = 0;
    let handledRecords = 0;
    const report = (extra: Partial<ShardPassReport>): ShardPassReport => ({
      shardId,
      records,
      handledRecords,
      checkpoint: owned.position ?? undefined,
      ended: false,
      throttled: false,
      ...extra,
    });
    const lose = async (): Promise<ShardPassReport> => {
      await this.#drop(shardId, owned, false);
      return report({ lostLease: true });
    };
    try {
      for (let call = 0; call < this.#maxCalls; call += 1) {
        if (signal?.aborted === true) break;
        await this.#renewAll(false);
        if (this.#owned.get(shardId) !== owned) return report({ lostLease: true });
        owned.iterator ??= await this.#iteratorFor(shardId, owned);
        if (owned.iterator === undefined) break;
        let page: GetRecordsCommandOutput;
        try {
          page = await this.#kinesis.send(
            new GetRecordsCommand({ ShardIterator: owned.iterator, Limit: this.#limit }),
          );
        } catch (error) {
          if (nameOf(error) === 'ExpiredIteratorException') {
            owned.iterator = undefined;
            continue;
          }
          throw error;
        }
        const batch = page.Records ?? [];
        records += batch.length;
        if (batch.length > 0) {
          const lambdaRecords = batch.map((record) => toLambdaRecord(shardId, record));
          this.#lastSinkError = undefined;
          const response = await this.#handler({ Records: lambdaRecords });
          const failedAt =
            response.batchItemFailures.length === 0
              ? lambdaRecords.length
              : lambdaRecords.findIndex(
                  (record) =>
                    record.kinesis.sequenceNumber === response.batchItemFailures[0]?.itemIdentifier,
                );
          const lastHandled = lambdaRecords[failedAt - 1];
          if (lastHandled !== undefined) {
            if (!(await this.#checkpoint(shardId, owned, lastHandled.kinesis.sequenceNumber))) {
              return await lose();
            }
            handledRecords += failedAt;
          }
          if (failedAt < lambdaRecords.length) {
            // Read again from the checkpoint, after the caller's back-off.
            owned.iterator = undefined;
            return report({
              failure:
                this.#lastSinkError ?? new Error('a record could not be decoded nor quarantined'),
            });
          }
        }
        owned.iterator = page.NextShardIterator;
        if (page.NextShardIterator === undefined) {
          // A closed shard read to its end: its children may start.
          if (!(await this.#checkpoint(shardId, owned, SHARD_END))) return await lose();
          await this.#drop(shardId, owned, true);
          return report({ ended: true, checkpoint: SHARD_END });
        }
        // Caught up: nothing came back, or a short page at the tip.
        if (batch.length === 0 || (page.MillisBehindLatest === 0 && batch.length < this.#limit))
          break;
      }
      return report({});
    } catch (error) {
      owned.iterator = undefined;
      if (isThrottling(error)) {
        this.#logger.warn('throttled; backing off', { shardId, error: nameOf(error) });
        return report({ throttled: true });
      }
      this.#logger.error('reading the shard failed', { shardId, error: String(error) });
      return report({ failure: error });
    }
  }
}
