// Test support: commits for several streams, written straight to a Kinesis stream.
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Commit } from '@tributary/core';
import { encodeCommit } from '../commit-codec.js';
import { countedCommit } from '../lambda/test-support/fixtures.js';
import { putRecords } from '../lambda/test-support/lambda-event.js';

/** One single-event commit per stream for versions `from`..`from + perStream - 1`, interleaved. */
export const interleavedCommits = (
  streams: readonly string[],
  from: number,
  perStream: number,
): Commit[] => {
  const commits: Commit[] = [];
  for (let version = from; version < from + perStream; version += 1) {
    for (const streamId of streams) commits.push(countedCommit(streamId, version));
  }
  return commits;
};

/** Puts each commit as one record keyed by its stream id, as the event store does. */
export const putCommits = (
  kinesis: KinesisClient,
  streamName: string,
  commits: readonly Commit[],
) =>
  putRecords(
    kinesis,
    streamName,
    commits.map((commit) => ({ partitionKey: commit.streamId, data: encodeCommit(commit) })),
  );

/** Waits until a stream is ACTIVE again after a reshard, failing after `timeoutMs`. */
export const waitUntilActive = async (
  kinesis: KinesisClient,
  StreamName: string,
  timeoutMs = 20_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    const status = summary.StreamDescriptionSummary?.StreamStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`stream ${StreamName} is still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
