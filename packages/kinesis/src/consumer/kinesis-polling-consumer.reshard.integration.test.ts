// Resharding mid-run on kinesis-mock (which, unlike kinesalite, implements MergeShards and ChildShards).
import {
  CreateStreamCommand,
  KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  type Shard,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import type { Commit } from '@tributary/core';
import { InMemoryCheckpointStore } from '@tributary/core';
import { localClientConfig, startKinesisMock, uniqueResourceName } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredCommit, KinesisCommitSink } from '../lambda/kinesis-handler.js';
import { eventTypes } from '../lambda/test-support/fixtures.js';
import { interleavedCommits, putCommits, waitUntilActive } from '../test-support/commit-log.js';
import { KinesisPollingConsumer, SHARD_END } from './kinesis-polling-consumer.js';

let stopMock: (() => Promise<void>) | undefined;
let kinesis: KinesisClient;

beforeAll(async () => {
  const mock = await startKinesisMock({ stateChangeMs: 100 });
  stopMock = mock.stop;
  kinesis = new KinesisClient(localClientConfig(mock.endpoint));
}, 120_000);

afterAll(async () => {
  kinesis?.destroy();
  await stopMock?.();
}, 30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const waitActive = (StreamName: string) => waitUntilActive(kinesis, StreamName);

const listShards = async (StreamName: string): Promise<Shard[]> =>
  (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];

const isOpen = (shard: Shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
const start = (shard: Shard) => BigInt(shard.HashKeyRange?.StartingHashKey ?? '0');
const end = (shard: Shard) => BigInt(shard.HashKeyRange?.EndingHashKey ?? '0');

const STREAMS = Array.from({ length: 12 }, (_, i) => `cart-${i}`);

const commitsOf = (from: number, perStream: number): Commit[] =>
  interleavedCommits(STREAMS, from, perStream);
const put = (StreamName: string, commits: readonly Commit[]) =>
  putCommits(kinesis, StreamName, commits);

describe('KinesisPollingConsumer across a split and a merge (kinesis-mock)', () => {
  it('delivers every stream once, in version order, reading parents to SHARD_END first', async () => {
    const StreamName = uniqueResourceName('reshard');
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
    await waitActive(StreamName);

    const checkpoints = new InMemoryCheckpointStore();
    const parentsOf = new Map<string, string[]>();
    const refreshLineage = async () => {
      for (const shard of await listShards(StreamName)) {
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
          (id): id is string => id !== undefined,
        );
        parentsOf.set(shard.ShardId ?? '', parents);
      }
    };

    // The read model: drops repeats by version, records any gap or a child read before its parents.
    const versions = new Map<string, number>();
    const violations: string[] = [];
    const deliveredFrom = new Set<string>();
    let deliveries = 0;
    let duplicates = 0;
    const sink: KinesisCommitSink = async (commits: readonly DeliveredCommit[]) => {
      for (const { commit, shardId } of commits) {
        deliveries += 1;
        deliveredFrom.add(shardId);
        for (const parent of parentsOf.get(shardId) ?? []) {
          const saved = (await checkpoints.get('projector', parent))._unsafeUnwrap();
          if (saved?.position !== SHARD_END) {
            violations.push(`${shardId} read while its parent ${parent} is at ${saved?.position}`);
          }
        }
        const last = versions.get(commit.streamId) ?? 0;
        if (commit.toVersion <= last) {
          duplicates += 1;
          continue;
        }
        if (commit.fromVersion !== last + 1) {
          violations.push(`${commit.streamId}@${commit.fromVersion} after version ${last}`);
          continue;
        }
        versions.set(commit.streamId, commit.toVersion);
      }
    };
    const consumer = new KinesisPollingConsumer({
      kinesis,
      streamName: StreamName,
      consumerName: 'projector',
      eventTypes,
      sink,
      checkpoints,
      pollIntervalMs: 10,
      maxRecordsPerCall: 5,
    });

    const caughtUp = (version: number) => STREAMS.every((id) => versions.get(id) === version);
    const pollUntil = async (version: number, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!caughtUp(version)) {
        if (Date.now() > deadline) {
          throw new Error(`not caught up to ${version}: ${JSON.stringify([...versions])}`);
        }
        await refreshLineage();
        const report = await consumer.runOnce();
        expect(report.failed, JSON.stringify(report.shards)).toBe(false);
        if (report.records === 0) await sleep(50);
      }
    };

    // Before the reshard.
    await put(StreamName, commitsOf(1, 3));
    await pollUntil(3);

    // Split the first shard at the middle of its hash range.
    const [first] = await listShards(StreamName);
    if (first === undefined) throw new Error('no shard');
    await kinesis.send(
      new SplitShardCommand({
        StreamName,
        ShardToSplit: first.ShardId,
        NewStartingHashKey: ((start(first) + end(first) + 1n) / 2n).toString(),
      }),
    );
    await waitActive(StreamName);
    await put(StreamName, commitsOf(4, 3));
    await pollUntil(6);
    const afterSplit = await listShards(StreamName);
    expect(afterSplit).toHaveLength(4);
    expect(afterSplit.filter(isOpen)).toHaveLength(3);

    // Merge two adjacent open shards (a child of the split with the other original shard).
    const open = afterSplit.filter(isOpen).sort((x, y) => (start(x) < start(y) ? -1 : 1));
    const pair = open
      .slice(1)
      .map((shard, i) => [open[i], shard] as const)
      .find(([left, right]) => left !== undefined && end(left) + 1n === start(right));
    if (pair === undefined) throw new Error('no adjacent open shards');
    const [left, right] = pair;
    await kinesis.send(
      new MergeShardsCommand({
        StreamName,
        ShardToMerge: left?.ShardId,
        AdjacentShardToMerge: right.ShardId,
      }),
    );
    await waitActive(StreamName);
    await put(StreamName, commitsOf(7, 3));
    await pollUntil(9);

    const shards = await listShards(StreamName);
    expect(shards).toHaveLength(5);
    const merged = shards.find(
      (shard) => shard.ParentShardId !== undefined && shard.AdjacentParentShardId !== undefined,
    );
    expect(merged).toBeDefined();

    // Caught up: one more pass reads nothing.
    await refreshLineage();
    expect((await consumer.runOnce()).records).toBe(0);

    expect(violations).toEqual([]);
    expect(duplicates).toBe(0);
    expect(deliveries).toBe(STREAMS.length * 9);
    // Every closed shard was read to its end; the children were read too.
    const saved = (await checkpoints.list('projector'))._unsafeUnwrap();
    for (const shard of shards.filter((s) => !isOpen(s))) {
      expect(saved.get(shard.ShardId ?? '')?.position, shard.ShardId).toBe(SHARD_END);
    }
    // The partition keys spread over every shard: each of the five delivered commits.
    expect([...deliveredFrom].sort()).toEqual(shards.map((shard) => shard.ShardId).sort());
  }, 120_000);
});
