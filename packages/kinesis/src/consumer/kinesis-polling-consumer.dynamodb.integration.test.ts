// Two workers sharing a stream through DynamoDB checkpoints and leases (DynamoDB Local, kinesalite).
import type { Commit } from '@tributary/core';
import {
  createConsumerTable,
  DynamoDBCheckpointStore,
  DynamoDBLeaseStore,
} from '@tributary/dynamodb';
import { connectLocalAws, uniqueResourceName } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HandlerLogger } from '../lambda/handler-logger.js';
import type { DeliveredCommit, KinesisCommitSink } from '../lambda/kinesis-handler.js';
import { eventTypes } from '../lambda/test-support/fixtures.js';
import { interleavedCommits, putCommits } from '../test-support/commit-log.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import { KinesisPollingConsumer, type PollReport } from './kinesis-polling-consumer.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

let tableName: string;
beforeAll(async () => {
  tableName = uniqueResourceName('consumers');
  const created = await createConsumerTable(aws.dynamodb, tableName);
  if (created.isErr()) throw new Error(created.error.message);
}, 120_000);

const STREAMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

const commitsOf = (from: number, perStream: number): Commit[] =>
  interleavedCommits(STREAMS, from, perStream);
const put = (streamName: string, commits: readonly Commit[]) =>
  putCommits(aws.kinesis, streamName, commits);

/** A read model that drops repeats by version and records any gap (an ordering or loss bug). */
const projection = () => {
  const versions = new Map<string, number>();
  const gaps: string[] = [];
  let duplicates = 0;
  const apply = ({ commit }: DeliveredCommit) => {
    const last = versions.get(commit.streamId) ?? 0;
    if (commit.toVersion <= last) {
      duplicates += 1;
      return;
    }
    if (commit.fromVersion !== last + 1) {
      gaps.push(`${commit.streamId}@${commit.fromVersion} after version ${last}`);
      return;
    }
    versions.set(commit.streamId, commit.toVersion);
  };
  return {
    apply,
    versions,
    gaps,
    get duplicates() {
      return duplicates;
    },
    complete: (n: number) => STREAMS.every((id) => versions.get(id) === n),
  };
};

const deferred = () => {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('KinesisPollingConsumer with DynamoDB checkpoints and leases', () => {
  it('a worker that dies mid-batch is taken over from its checkpoints; back, it is fenced off', async () => {
    const streamName = await createTestStream(aws.kinesis, 4);
    await put(streamName, commitsOf(1, 5));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => new Date(now);
    const checkpoints = new DynamoDBCheckpointStore({ client: aws.dynamodb, tableName, clock });
    const leases = new DynamoDBLeaseStore({ client: aws.dynamodb, tableName, clock });
    const consumerName = uniqueResourceName('projector');
    const model = projection();

    // a's sink: normal until `dying`; then it applies two commits of its batch and hangs (the
    // process is frozen: no renewal, no checkpoint, no release) until `wake`.
    let dying = false;
    const entered = deferred();
    const wake = deferred();
    const dyingSink: KinesisCommitSink = async (commits) => {
      if (!dying) {
        for (const delivered of commits) model.apply(delivered);
        return;
      }
      dying = false;
      for (const delivered of commits.slice(0, 2)) model.apply(delivered);
      entered.resolve();
      await wake.promise;
      // Back from the pause, it finishes its batch (commits b has delivered since).
      for (const delivered of commits.slice(2)) model.apply(delivered);
    };
    const warnings: { message: string; attributes: Record<string, unknown> }[] = [];
    const logger: HandlerLogger = {
      info() {},
      warn(message, attributes) {
        warnings.push({ message, attributes });
      },
      error() {},
    };
    const worker = (workerId: string, sink: KinesisCommitSink) =>
      new KinesisPollingConsumer({
        kinesis: aws.kinesis,
        streamName,
        consumerName,
        eventTypes,
        sink,
        checkpoints,
        leases,
        workerId,
        leaseTtlMs: 10_000,
        clock,
        pollIntervalMs: 10,
        maxRecordsPerCall: 7,
        ...(workerId === 'a' ? { logger } : {}),
      });
    const a = worker('a', dyingSink);
    const b = worker('b', async (commits) => {
      for (const delivered of commits) model.apply(delivered);
    });

    // Both take their share: b gives up two shards once a has announced itself.
    await a.runOnce();
    await b.runOnce();
    await a.runOnce();
    await b.runOnce();
    expect(a.ownedShards).toHaveLength(2);
    expect(b.ownedShards).toHaveLength(2);
    expect(model.complete(5)).toBe(true);
    const aShards = a.ownedShards;
    const staleLeases = (await leases.list(consumerName))
      ._unsafeUnwrap()
      .filter((lease) => lease.owner === 'a' && aShards.includes(lease.partition));
    expect(staleLeases).toHaveLength(2);

    // More commits; a reads a batch, handles two commits of it and freezes.
    await put(streamName, commitsOf(6, 5));
    dying = true;
    const aPass: Promise<PollReport> = a.runOnce();
    await entered.promise;

    // Before the TTL, b keeps its share; after it, b takes a's shards from a's checkpoints.
    now += 5_000;
    await b.runOnce();
    expect(b.ownedShards).toHaveLength(2);
    now += 6_000;
    const takeover = await b.runOnce();
    expect(takeover.failed).toBe(false);
    expect(b.ownedShards).toEqual(expect.arrayContaining([...aShards]));
    expect(b.ownedShards).toHaveLength(4);
    expect(model.gaps).toEqual([]);
    expect(model.complete(10)).toBe(true);
    expect(model.duplicates).toBeGreaterThan(0); // the two commits a handled before freezing
    const afterTakeover = (await checkpoints.list(consumerName))._unsafeUnwrap();

    // a's old lease tokens no longer fence anything: a direct put with one is refused.
    const stale = staleLeases[0];
    if (stale === undefined) throw new Error('no stale lease');
    const refused = await checkpoints.put(consumerName, stale.partition, '0', {
      leaseToken: stale.token,
    });
    expect(refused.isErr()).toBe(true);
    expect(refused._unsafeUnwrapErr().kind).toBe('ConcurrencyError');

    // a wakes up: its checkpoint is refused and it reports its shards as lost, writing nothing.
    wake.resolve();
    const zombie = await aPass;
    expect(zombie.shards.length).toBeGreaterThan(0);
    expect(zombie.shards.every((shard) => shard.lostLease === true)).toBe(true);
    expect(zombie.shards.some((shard) => shard.handledRecords > 0)).toBe(false);
    expect(a.ownedShards).toEqual([]);
    const refusal = warnings.find((w) => w.message.startsWith('checkpoint refused'));
    expect(refusal?.attributes.error).toMatch(/lease|checkpoint/);
    expect((await checkpoints.list(consumerName))._unsafeUnwrap()).toEqual(afterTakeover);
    expect(model.gaps).toEqual([]);

    // Afterwards both share the stream again and nothing is lost.
    await put(streamName, commitsOf(11, 3));
    for (let pass = 0; pass < 4; pass += 1) {
      expect((await a.runOnce()).failed).toBe(false);
      expect((await b.runOnce()).failed).toBe(false);
    }
    expect(a.ownedShards).toHaveLength(2);
    expect(b.ownedShards).toHaveLength(2);
    expect(model.gaps).toEqual([]);
    expect(model.complete(13)).toBe(true);
    await a.releaseAll();
    await b.releaseAll();
  }, 120_000);
});
