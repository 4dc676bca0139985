import { connectLocalAws } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeCommit } from '../commit-codec.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import { createKinesisHandler } from './kinesis-handler.js';
import type { KinesisStreamRecord } from './kinesis-stream-event.js';
import { deaggregate } from './kpl-deaggregation.js';
import { countedCommit, eventTypes } from './test-support/fixtures.js';
import { aggregateRecords } from './test-support/kpl-aggregate.js';
import { lambdaEvent, putRecords, readLambdaRecords } from './test-support/lambda-event.js';
import {
  deliveredOf,
  recordingLogger,
  recordingQuarantine,
  recordingSink,
  type Step,
} from './test-support/recorders.js';
import { referenceDeaggregate } from './test-support/reference-deaggregator.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

const commitData = (streamId: string, version: number, count = 1) => ({
  partitionKey: streamId,
  data: encodeCommit(countedCommit(streamId, version, count)),
});

describe('KPL-aggregated records read from kinesalite', () => {
  let records: KinesisStreamRecord[];
  beforeAll(async () => {
    const streamName = await createTestStream(aws.kinesis);
    await putRecords(aws.kinesis, streamName, [
      // 0: three commits of two streams in one aggregate, one with an explicit hash key
      {
        partitionKey: 'agg-0',
        data: aggregateRecords(
          [
            commitData('k', 1),
            { ...commitData('m', 1, 2), explicitHashKey: '42' },
            commitData('k', 2),
          ],
          { withTags: true },
        ),
      },
      // 1: a plain record
      commitData('k', 3),
      // 2: an aggregate whose digest is wrong
      {
        partitionKey: 'agg-2',
        data: aggregateRecords([commitData('k', 4)], { corruptChecksum: true }),
      },
      // 3: an aggregate whose middle sub-record is not a commit
      {
        partitionKey: 'agg-3',
        data: aggregateRecords([
          commitData('m', 3),
          { partitionKey: 'x', data: new TextEncoder().encode('garbage') },
          commitData('k', 4),
        ]),
      },
      // 4: a plain record
      commitData('m', 4),
    ]);
    records = await readLambdaRecords(aws.kinesis, streamName);
    expect(records).toHaveLength(5);
  });

  it('de-aggregates the real record bytes as aws-kinesis-agg does, checksum failure included', () => {
    for (const record of records) {
      const theirs = referenceDeaggregate(record.kinesis);
      const mine = deaggregate(
        Buffer.from(record.kinesis.data, 'base64'),
        record.kinesis.partitionKey,
      );
      if (theirs.error !== undefined) {
        expect(theirs.error).toMatch(/checksum/i);
        expect(mine.isErr() && mine.error.reason).toBe('AggregateChecksumMismatch');
        continue;
      }
      const unpacked = mine._unsafeUnwrap();
      expect(unpacked.map((user) => Buffer.from(user.data).toString('base64'))).toEqual(
        theirs.records.map((user) => user.data),
      );
      expect(unpacked.map((user) => user.partitionKey)).toEqual(
        theirs.records.map((user) => user.partitionKey),
      );
      expect(unpacked.map((user) => user.subSequenceNumber)).toEqual(
        theirs.records.map((user) => user.subSequenceNumber),
      );
    }
    expect(records.map((record) => referenceDeaggregate(record.kinesis).error)).toEqual([
      undefined,
      undefined,
      expect.stringMatching(/checksum/i),
      undefined,
      undefined,
    ]);
  });

  it('delivers sub-records in order with their sub-sequence numbers and quarantines the bad ones', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      sink: recordingSink(steps),
      quarantine: recordingQuarantine(steps),
      logger: recordingLogger(),
    });
    expect((await handler(lambdaEvent(records))).batchItemFailures).toEqual([]);
    const seq = (index: number) => records[index]?.kinesis.sequenceNumber;
    expect(
      deliveredOf(steps).map(({ commit, sequenceNumber, subSequenceNumber, partitionKey }) => ({
        at: `${commit.streamId}@${commit.fromVersion}`,
        sequenceNumber,
        subSequenceNumber,
        partitionKey,
      })),
    ).toEqual([
      { at: 'k@1', sequenceNumber: seq(0), subSequenceNumber: 0, partitionKey: 'k' },
      { at: 'm@1', sequenceNumber: seq(0), subSequenceNumber: 1, partitionKey: 'm' },
      { at: 'k@2', sequenceNumber: seq(0), subSequenceNumber: 2, partitionKey: 'k' },
      { at: 'k@3', sequenceNumber: seq(1), subSequenceNumber: undefined, partitionKey: 'k' },
      { at: 'm@3', sequenceNumber: seq(3), subSequenceNumber: 0, partitionKey: 'm' },
      { at: 'k@4', sequenceNumber: seq(3), subSequenceNumber: 2, partitionKey: 'k' },
      { at: 'm@4', sequenceNumber: seq(4), subSequenceNumber: undefined, partitionKey: 'm' },
    ]);
    const quarantined = steps.flatMap((step) => (step.kind === 'quarantine' ? [step.entry] : []));
    expect(
      quarantined.map(({ reason, sequenceNumber, subSequenceNumber }) => ({
        reason,
        sequenceNumber,
        subSequenceNumber,
      })),
    ).toEqual([
      { reason: 'AggregateChecksumMismatch', sequenceNumber: seq(2), subSequenceNumber: undefined },
      { reason: 'NotJson', sequenceNumber: seq(3), subSequenceNumber: 1 },
    ]);
    expect(new TextDecoder().decode(quarantined[1]?.data)).toBe('garbage');
    expect(quarantined[1]?.partitionKey).toBe('x');
  });

  it('reports an aggregate once, with every later record, when the sink stops inside it', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      sink: recordingSink(steps, () => ({ handled: 1 })), // k@1 handled, m@1 not
      quarantine: recordingQuarantine(steps),
      logger: recordingLogger(),
    });
    const response = await handler(lambdaEvent(records));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.map((record) => record.kinesis.sequenceNumber),
    );
  });

  it('reports a corrupt aggregate and everything after it when quarantine is refused', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      sink: recordingSink(steps),
      quarantine: recordingQuarantine(steps, () => true),
      logger: recordingLogger(),
    });
    const response = await handler(lambdaEvent(records));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      records.slice(2).map((record) => record.kinesis.sequenceNumber),
    );
    expect(deliveredOf(steps)).toHaveLength(4);
  });
});
