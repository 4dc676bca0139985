// Test support: reads a whole Kinesis stream back and checks the commit guarantees.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { Commit } from '@tributary/core';
import { decodeCommit } from '../commit-codec.js';

/** Every commit in the stream, per shard in sequence order, shards one after another. */
export const readAllCommits = async (
  kinesis: KinesisClient,
  StreamName: string,
): Promise<Commit[]> => {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
  const commits: Commit[] = [];
  for (const shard of shards) {
    let { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (;;) {
      if (ShardIterator === undefined) break;
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const decoded = decodeCommit(record.Data ?? new Uint8Array());
        if (decoded.isErr())
          throw new Error(`unreadable record ${record.SequenceNumber}: ${decoded.error.message}`);
        commits.push(decoded.value);
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return commits;
};

/**
 * Drops duplicates by (streamId, version) as consumers do and checks, per stream, that the first
 * publications come in version order with no gap from 1; returns each stream's versions.
 */
export const checkCommitLog = (commits: readonly Commit[]): Map<string, number[]> => {
  const seen = new Map<string, number[]>();
  const firstEventIds = new Map<string, string>();
  for (const commit of commits) {
    const versions = seen.get(commit.streamId) ?? [];
    const last = versions[versions.length - 1] ?? 0;
    if (commit.toVersion <= last) {
      // A duplicate publication must be the very same commit, not another one at that version.
      for (const event of commit.events) {
        const first = firstEventIds.get(`${commit.streamId}@${event.version}`);
        if (first !== event.eventId) {
          throw new Error(
            `stream ${commit.streamId}: version ${event.version} published twice with different events`,
          );
        }
      }
      continue;
    }
    for (const event of commit.events)
      firstEventIds.set(`${commit.streamId}@${event.version}`, event.eventId);
    if (commit.fromVersion !== last + 1) {
      throw new Error(
        `stream ${commit.streamId}: commit ${commit.fromVersion}..${commit.toVersion} first published after version ${last}`,
      );
    }
    for (let version = commit.fromVersion; version <= commit.toVersion; version += 1)
      versions.push(version);
    seen.set(commit.streamId, versions);
  }
  return seen;
};
