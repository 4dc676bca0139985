import type { Commit } from '@tributary/core';
import { InMemoryCheckpointStore, InMemoryLeaseStore } from '@tributary/core';
import { connectLocalAws } from '@tributary/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DeliveredCommit, KinesisCommitSink } from '../lambda/kinesis-handler.js';
import { eventTypes } from '../lambda/test-support/fixtures.js';
import { interleavedCommits, putCommits } from '../test-support/commit-log.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import {
  KinesisPollingConsumer,
  type KinesisPollingConsumerOptions,
  SHARD_END,
} from './kinesis-polling-consumer.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

const commitsOf = interleavedCommits;
const put = (streamName: string, commits: readonly Commit[]) =>
  putCommits(aws.kinesis, streamName, commits);

/**
 * A read model that checks order: it drops repeats by version and throws when a commit comes
 * before its predecessor (which would be an ordering bug of the consumer).
 */
const projection = () => {
  const versions = new Map<string, number[]>();
  let deliveries = 0;
  let duplicates = 0;
  const apply = (delivered: DeliveredCommit) => {
    const { commit } = delivered;
    deliveries += 1;
    const seen = versions.get(commit.streamId) ?? [];
    const last = seen[seen.length - 1] ?? 0;
    if (commit.toVersion <= last) {
      duplicates += 1;
      return;
    }
    if (commit.fromVersion !== last + 1) {
      throw new Error(`${commit.streamId}@${commit.fromVersion} delivered after version ${last}`);
    }
    for (let version = commit.fromVersion; version <= commit.toVersion; version += 1)
      seen.push(version);
    versions.set(commit.streamId, seen);
  };
  const sink: KinesisCommitSink = async (commits) => {
    for (const delivered of commits) apply(delivered);
  };
  return {
    sink,
    apply,
    versions,
    get deliveries() {
      return deliveries;
    },
    get duplicates() {
      return duplicates;
    },
  };
};

const expectComplete = (versions: Map<string, number[]>, streams: readonly string[], n: number) => {
  for (const streamId of streams) {
    expect(versions.get(streamId), streamId).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  }
};

const base = (
  streamName: string,
  sink: KinesisCommitSink,
  checkpoints: InMemoryCheckpointStore,
): KinesisPollingConsumerOptions =>
  ({
    kinesis: aws.kinesis,
    streamName,
    consumerName: 'projector',
    eventTypes,
    sink,
    checkpoints,
    pollIntervalMs: 10,
    maxRecordsPerCall: 7,
  }) as const;

const STREAMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

describe('KinesisPollingConsumer on kinesalite', () => {
  it('delivers every commit of a 3-shard stream once, in per-stream version order', async () => {
    const streamName = await createTestStream(aws.kinesis, 3);
    await put(streamName, commitsOf(STREAMS, 1, 10));
    const model = projection();
    const checkpoints = new InMemoryCheckpointStore();
    const consumer = new KinesisPollingConsumer(base(streamName, model.sink, checkpoints));
    const report = await consumer.runOnce();
    expect(report.records).toBe(80);
    expect(report.failed).toBe(false);
    expect(model.deliveries).toBe(80);
    expect(model.duplicates).toBe(0);
    expectComplete(model.versions, STREAMS, 10);
    const saved = (await checkpoints.list('projector'))._unsafeUnwrap();
    expect(saved.size).toBe(3);
    expect((await consumer.runOnce()).records).toBe(0);
  });

  it('run() polls until the signal aborts, then stops cleanly', async () => {
    const streamName = await createTestStream(aws.kinesis, 2);
    const model = projection();
    const consumer = new KinesisPollingConsumer(
      base(streamName, model.sink, new InMemoryCheckpointStore()),
    );
    const stop = new AbortController();
    const running = consumer.run(stop.signal);
    await put(streamName, commitsOf(STREAMS, 1, 3));
    await put(streamName, commitsOf(STREAMS, 4, 3));
    for (let i = 0; i < 500 && model.deliveries < 48; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stop.abort();
    await running;
    expect(model.duplicates).toBe(0);
    expectComplete(model.versions, STREAMS, 6);
  });

  it('a restarted consumer resumes from its checkpoints without redelivering', async () => {
    const streamName = await createTestStream(aws.kinesis, 4);
    const checkpoints = new InMemoryCheckpointStore();
    const model = projection();
    await put(streamName, commitsOf(STREAMS, 1, 4));
    await new KinesisPollingConsumer(base(streamName, model.sink, checkpoints)).runOnce();
    await put(streamName, commitsOf(STREAMS, 5, 4));
    const restarted = new KinesisPollingConsumer(base(streamName, model.sink, checkpoints));
    const report = await restarted.runOnce();
    expect(report.records).toBe(32);
    expect(model.duplicates).toBe(0);
    expectComplete(model.versions, STREAMS, 8);
  });

  it('starts at LATEST when there is no checkpoint', async () => {
    const streamName = await createTestStream(aws.kinesis, 2);
    await put(streamName, commitsOf(['old'], 1, 3));
    const model = projection();
    const consumer = new KinesisPollingConsumer({
      ...base(streamName, model.sink, new InMemoryCheckpointStore()),
      startAt: 'LATEST',
    });
    expect((await consumer.runOnce()).records).toBe(0);
    await put(streamName, commitsOf(['new'], 1, 3));
    await consumer.runOnce();
    expect([...model.versions.keys()]).toEqual(['new']);
  });

  it('a sink failing mid-batch is resumed from the last handled record', async () => {
    const streamName = await createTestStream(aws.kinesis, 2);
    await put(streamName, commitsOf(STREAMS, 1, 6));
    const model = projection();
    let calls = 0;
    const flaky: KinesisCommitSink = async (commits) => {
      calls += 1;
      if (calls === 2) {
        // Handles three commits, then fails on the fourth.
        for (const delivered of commits.slice(0, 3)) model.apply(delivered);
        return { handled: 3, error: new Error('database down') };
      }
      if (calls === 4) throw new Error('connection reset');
      for (const delivered of commits) model.apply(delivered);
    };
    const consumer = new KinesisPollingConsumer(
      base(streamName, flaky, new InMemoryCheckpointStore()),
    );
    const reports = [];
    for (let pass = 0; pass < 6; pass += 1) reports.push(await consumer.runOnce());
    const failures = reports.flatMap((report) => report.shards).filter((shard) => shard.failure);
    expect(failures).toHaveLength(2);
    expect(reports[0]?.shards.find((shard) => shard.failure !== undefined)?.failure).toEqual(
      new Error('database down'),
    );
    expect(model.duplicates).toBe(0);
    expect(model.deliveries).toBe(48);
    expectComplete(model.versions, STREAMS, 6);
  });

  it('two workers with leases split the shards and deliver everything once', async () => {
    const streamName = await createTestStream(aws.kinesis, 4);
    await put(streamName, commitsOf(STREAMS, 1, 5));
    const checkpoints = new InMemoryCheckpointStore();
    const leases = new InMemoryLeaseStore();
    const model = projection();
    const worker = (workerId: string) =>
      new KinesisPollingConsumer({
        ...base(streamName, model.sink, checkpoints),
        leases,
        workerId,
        leaseTtlMs: 60_000,
      });
    const a = worker('a');
    const b = worker('b');
    // b takes every shard, a announces itself, b gives up its excess, a takes it.
    await b.runOnce();
    await a.runOnce();
    await b.runOnce();
    await a.runOnce();
    expect(a.ownedShards).toHaveLength(2);
    expect(b.ownedShards).toHaveLength(2);
    expect(new Set([...a.ownedShards, ...b.ownedShards]).size).toBe(4);
    await put(streamName, commitsOf(STREAMS, 6, 5));
    await a.runOnce();
    await b.runOnce();
    expect(model.duplicates).toBe(0);
    expectComplete(model.versions, STREAMS, 10);

    // A worker that joins later gets its share: the others give up their excess.
    const late = worker('late');
    await late.runOnce();
    await a.runOnce();
    await b.runOnce();
    await late.runOnce();
    expect(late.ownedShards.length).toBeGreaterThan(0);
    expect(a.ownedShards.length).toBeGreaterThan(0);
    expect(b.ownedShards.length).toBeGreaterThan(0);
    expect(a.ownedShards.length + b.ownedShards.length + late.ownedShards.length).toBe(4);
  });

  it('a worker that dies mid-batch loses its leases to another, which loses nothing', async () => {
    const streamName = await createTestStream(aws.kinesis, 4);
    await put(streamName, commitsOf(STREAMS, 1, 5));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => new Date(now);
    const checkpoints = new InMemoryCheckpointStore();
    const leases = new InMemoryLeaseStore({ clock });
    const model = projection();
    let crash = false;
    const dying: KinesisCommitSink = async (commits) => {
      if (crash) {
        // Applies part of the batch, then the process dies: nothing is checkpointed.
        for (const delivered of commits.slice(0, 2)) model.apply(delivered);
        throw new Error('SIGKILL');
      }
      for (const delivered of commits) model.apply(delivered);
    };
    const options = { leases, leaseTtlMs: 10_000, clock };
    const a = new KinesisPollingConsumer({
      ...base(streamName, dying, checkpoints),
      ...options,
      workerId: 'a',
    });
    const b = new KinesisPollingConsumer({
      ...base(streamName, model.sink, checkpoints),
      ...options,
      workerId: 'b',
    });
    await a.runOnce();
    await b.runOnce();
    await a.runOnce();
    await b.runOnce();
    expect(a.ownedShards).toHaveLength(2);
    expect(b.ownedShards).toHaveLength(2);

    await put(streamName, commitsOf(STREAMS, 6, 5));
    crash = true;
    await a.runOnce(); // a's batches fail; then a is dead: it never renews or releases
    now += 5_000;
    await b.runOnce();
    expect(b.ownedShards).toHaveLength(2); // a's leases have not expired yet
    now += 6_000;
    const report = await b.runOnce();
    expect(b.ownedShards).toHaveLength(4);
    expect(report.failed).toBe(false);
    expect(model.duplicates).toBeGreaterThan(0); // what a applied before dying comes again
    expectComplete(model.versions, STREAMS, 10);
  });

  it('checkpoints a closed shard as SHARD_END and reads its children after it', async () => {
    // kinesalite supports SplitShard; the split is done after some records, more follow.
    const { SplitShardCommand, ListShardsCommand, DescribeStreamCommand } = await import(
      '@aws-sdk/client-kinesis'
    );
    const streamName = await createTestStream(aws.kinesis, 1);
    await put(streamName, commitsOf(STREAMS, 1, 3));
    const model = projection();
    const checkpoints = new InMemoryCheckpointStore();
    const consumer = new KinesisPollingConsumer(base(streamName, model.sink, checkpoints));
    await consumer.runOnce();
    const shards = (await aws.kinesis.send(new ListShardsCommand({ StreamName: streamName })))
      .Shards;
    const parent = shards?.[0];
    await aws.kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: parent?.ShardId,
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    for (let i = 0; i < 200; i += 1) {
      const status = (await aws.kinesis.send(new DescribeStreamCommand({ StreamName: streamName })))
        .StreamDescription?.StreamStatus;
      if (status === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await put(streamName, commitsOf(STREAMS, 4, 3));
    const report = await consumer.runOnce();
    expect(report.shards.some((shard) => shard.ended)).toBe(true);
    const saved = (await checkpoints.list('projector'))._unsafeUnwrap();
    expect(saved.get(parent?.ShardId ?? '')?.position).toBe(SHARD_END);
    expect(saved.size).toBe(3);
    expect(model.duplicates).toBe(0);
    expectComplete(model.versions, STREAMS, 6);
  });
});
