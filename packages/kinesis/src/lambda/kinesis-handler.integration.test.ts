import { createEventRegistry } from '@tributary/core';
import { connectLocalAws } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMIT_FORMAT, encodeCommit } from '../commit-codec.js';
import { createTestStream } from '../test-support/kinesis-stream.js';
import { createKinesisHandler } from './kinesis-handler.js';
import type { KinesisStreamRecord } from './kinesis-stream-event.js';
import {
  Counted,
  commitOf,
  countedCommit,
  countedUpcasters,
  eventTypes,
} from './test-support/fixtures.js';
import {
  lambdaEvent,
  type PutEntry,
  putRecords,
  readLambdaRecords,
} from './test-support/lambda-event.js';
import {
  deliveredOf,
  recordingLogger,
  recordingQuarantine,
  recordingSink,
  type Step,
} from './test-support/recorders.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

/** Puts the entries to a fresh one-shard stream and reads them back as Lambda records. */
const realRecords = async (entries: readonly PutEntry[]): Promise<KinesisStreamRecord[]> => {
  const streamName = await createTestStream(aws.kinesis);
  await putRecords(aws.kinesis, streamName, entries);
  const records = await readLambdaRecords(aws.kinesis, streamName);
  expect(records).toHaveLength(entries.length);
  return records;
};

const commitEntry = (commit: ReturnType<typeof commitOf>): PutEntry => ({
  partitionKey: commit.streamId,
  data: encodeCommit(commit),
});
const rawEntry = (text: string, partitionKey = 'other-producer'): PutEntry => ({
  partitionKey,
  data: new TextEncoder().encode(text),
});

const sequenceNumbers = (records: readonly KinesisStreamRecord[]) =>
  records.map((record) => record.kinesis.sequenceNumber);
const failuresOf = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier);
const positions = (steps: readonly Step[]) =>
  deliveredOf(steps).map(({ commit }) => `${commit.streamId}@${commit.fromVersion}`);

/** Eight commits of three streams, interleaved as a shard holds them. */
const interleaved = [
  countedCommit('a', 1),
  countedCommit('b', 1, 2),
  countedCommit('a', 2),
  countedCommit('c', 1),
  countedCommit('b', 3),
  countedCommit('a', 3, 3),
  countedCommit('c', 2),
  countedCommit('b', 4),
];
const interleavedPositions = interleaved.map(
  (commit) => `${commit.streamId}@${commit.fromVersion}`,
);

describe('createKinesisHandler with real kinesalite records', () => {
  let records: KinesisStreamRecord[];
  beforeAll(async () => {
    records = await realRecords(interleaved.map(commitEntry));
  });

  it('delivers every commit in record order in one sink call and reports no failure', async () => {
    const steps: Step[] = [];
    const logger = recordingLogger();
    const handler = createKinesisHandler({ eventTypes, sink: recordingSink(steps), logger });
    const response = await handler(lambdaEvent(records), { awsRequestId: 'req-1' });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(steps).toHaveLength(1);
    expect(positions(steps)).toEqual(interleavedPositions);
    const delivered = deliveredOf(steps);
    expect(delivered.map((entry) => entry.sequenceNumber)).toEqual(sequenceNumbers(records));
    for (const entry of delivered) {
      expect(entry.shardId).toBe('shardId-000000000000');
      expect(entry.subSequenceNumber).toBeUndefined();
      expect(entry.partitionKey).toBe(entry.commit.streamId);
      expect(entry.approximateArrivalTimestamp).toBeGreaterThan(1_600_000_000);
    }
    expect(delivered[5]?.commit.events.map((event) => event.version)).toEqual([3, 4, 5]);
    expect(logger.entries).toEqual([
      {
        level: 'info',
        message: 'kinesis batch handled',
        attributes: {
          awsRequestId: 'req-1',
          shardId: 'shardId-000000000000',
          records: 8,
          delivered: 8,
          quarantined: 0,
        },
      },
    ]);
  });

  it.each([1, 2, 5, 8])(
    'reports exactly records %i..n when the sink throws at record k (one commit per call)',
    async (k) => {
      const steps: Step[] = [];
      const logger = recordingLogger();
      const handler = createKinesisHandler({
        eventTypes,
        maxBatchSize: 1,
        logger,
        sink: recordingSink(steps, (_commits, call) => {
          if (call === k - 1) throw new Error('projection database unavailable');
          return undefined;
        }),
      });
      const response = await handler(lambdaEvent(records));
      expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(k - 1)));
      expect(steps).toHaveLength(k); // nothing after the failing record was offered
      const failed = interleaved[k - 1];
      expect(logger.entries.at(-1)).toMatchObject({
        level: 'error',
        attributes: {
          streamId: failed?.streamId,
          version: failed?.fromVersion,
          sequenceNumber: records[k - 1]?.kinesis.sequenceNumber,
          shardId: 'shardId-000000000000',
          error: 'projection database unavailable',
          reported: 8 - k + 1,
        },
      });
    },
  );

  it.each([0, 1, 3, 7, 8])(
    'reports records k+1..n when the sink says it handled the first %i',
    async (k) => {
      const steps: Step[] = [];
      const handler = createKinesisHandler({
        eventTypes,
        logger: recordingLogger(),
        sink: recordingSink(steps, () => ({ handled: k, error: new Error('constraint violated') })),
      });
      const response = await handler(lambdaEvent(records));
      expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(k)));
      expect(steps).toHaveLength(1);
    },
  );

  it('reports the whole batch when a batching sink throws', async () => {
    const handler = createKinesisHandler({
      eventTypes,
      logger: recordingLogger(),
      sink: () => Promise.reject(new Error('boom')),
    });
    expect(failuresOf(await handler(lambdaEvent(records)))).toEqual(sequenceNumbers(records));
  });

  it('honours maxBatchSize and stops at the first failing call', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      maxBatchSize: 3,
      logger: recordingLogger(),
      sink: recordingSink(steps, (_commits, call) => (call === 1 ? { handled: 2 } : undefined)),
    });
    const response = await handler(lambdaEvent(records));
    expect(steps.map((step) => (step.kind === 'sink' ? step.commits.length : 0))).toEqual([3, 3]);
    expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(5)));
  });

  it('rejects when the sink reports an impossible count (a programmer error)', async () => {
    const handler = createKinesisHandler({
      eventTypes,
      logger: recordingLogger(),
      sink: async () => ({ handled: 9 }),
    });
    await expect(handler(lambdaEvent(records))).rejects.toThrow(RangeError);
    expect(() =>
      createKinesisHandler({ eventTypes, sink: async () => undefined, maxBatchSize: 0 }),
    ).toThrow(RangeError);
  });

  it('retries converge: replaying the reported records after a failure delivers the rest', async () => {
    const steps: Step[] = [];
    let failOnce = true;
    const handler = createKinesisHandler({
      eventTypes,
      logger: recordingLogger(),
      sink: recordingSink(steps, () => {
        if (!failOnce) return undefined;
        failOnce = false;
        return { handled: 4 };
      }),
    });
    const first = failuresOf(await handler(lambdaEvent(records)));
    const retried = records.filter((record) => first.includes(record.kinesis.sequenceNumber));
    expect(failuresOf(await handler(lambdaEvent(retried)))).toEqual([]);
    const applied = deliveredOf(steps);
    expect(
      [...applied.slice(0, 4), ...applied.slice(8)].map((entry) => entry.sequenceNumber),
    ).toEqual(sequenceNumbers(records));
  });
});

describe('quarantine of records that can never decode', () => {
  let records: KinesisStreamRecord[];
  const reasons = [
    'NotJson',
    'UnknownFormat',
    'InvalidCommit',
    'UnsupportedVersion',
    'UnknownEventType',
    'InvalidEvent',
  ];
  beforeAll(async () => {
    const tooNew = JSON.stringify({
      ...JSON.parse(new TextDecoder().decode(encodeCommit(countedCommit('q', 9)))),
      formatVersion: 99,
    });
    records = await realRecords([
      commitEntry(countedCommit('q', 1)), // 0
      commitEntry(countedCommit('q', 2)), // 1
      rawEntry('not json at all'), // 2: NotJson
      commitEntry(countedCommit('q', 3)), // 3
      rawEntry(JSON.stringify({ hello: 'world' })), // 4: UnknownFormat
      commitEntry(countedCommit('q', 4)), // 5
      rawEntry(JSON.stringify({ format: COMMIT_FORMAT, formatVersion: 1, streamId: 'q' })), // 6: InvalidCommit
      rawEntry(tooNew, 'q'), // 7: UnsupportedVersion
      commitEntry(commitOf('u', 1, [{ type: 'Teleported', data: {} }])), // 8: UnknownEventType
      commitEntry(commitOf('v', 1, [{ type: 'Renamed', data: { name: 42 } }])), // 9: InvalidEvent
      commitEntry(countedCommit('q', 5)), // 10
    ]);
  });

  it('skips each undecodable record once quarantine resolves, and delivers the rest in order', async () => {
    const steps: Step[] = [];
    const logger = recordingLogger();
    const handler = createKinesisHandler({
      eventTypes,
      sink: recordingSink(steps),
      quarantine: recordingQuarantine(steps),
      logger,
    });
    const response = await handler(lambdaEvent(records));
    expect(response.batchItemFailures).toEqual([]);
    // The commits before an undecodable record reach the sink before it is quarantined.
    expect(
      steps.map((step) =>
        step.kind === 'sink'
          ? `sink ${step.commits.map(({ commit }) => commit.fromVersion).join(',')}`
          : `quarantine ${step.entry.reason}`,
      ),
    ).toEqual([
      'sink 1,2',
      'quarantine NotJson',
      'sink 3',
      'quarantine UnknownFormat',
      'sink 4',
      'quarantine InvalidCommit',
      'quarantine UnsupportedVersion',
      'quarantine UnknownEventType',
      'quarantine InvalidEvent',
      'sink 5',
    ]);
    const quarantined = steps.flatMap((step) => (step.kind === 'quarantine' ? [step.entry] : []));
    expect(quarantined.map((entry) => entry.sequenceNumber)).toEqual(
      sequenceNumbers([2, 4, 6, 7, 8, 9].map((index) => records[index] as KinesisStreamRecord)),
    );
    expect(quarantined.map((entry) => entry.record)).toEqual(
      [2, 4, 6, 7, 8, 9].map((index) => records[index]),
    );
    expect(new TextDecoder().decode(quarantined[0]?.data)).toBe('not json at all');
    expect(quarantined[4]).toMatchObject({
      streamId: 'u',
      version: 1,
      shardId: 'shardId-000000000000',
    });
    expect(quarantined[5]).toMatchObject({ streamId: 'v', version: 1 });
    expect(quarantined[5]?.message).toContain('name');
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    expect(warnings.map((entry) => entry.attributes.reason)).toEqual(reasons);
    expect(warnings[4]?.attributes).toMatchObject({
      streamId: 'u',
      version: 1,
      sequenceNumber: records[8]?.kinesis.sequenceNumber,
      shardId: 'shardId-000000000000',
    });
  });

  it.each([2, 4, 6, 7, 8, 9])(
    'reports record %i and every later one when quarantine rejects it',
    async (failing) => {
      const steps: Step[] = [];
      const failingSequence = records[failing]?.kinesis.sequenceNumber;
      const handler = createKinesisHandler({
        eventTypes,
        sink: recordingSink(steps),
        quarantine: recordingQuarantine(steps, (entry) => entry.sequenceNumber === failingSequence),
        logger: recordingLogger(),
      });
      const response = await handler(lambdaEvent(records));
      expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(failing)));
      // Nothing after the failing record reached the sink.
      const lastDelivered = deliveredOf(steps).at(-1)?.sequenceNumber ?? '';
      expect(BigInt(lastDelivered)).toBeLessThan(BigInt(failingSequence ?? '0'));
    },
  );

  it('reports the first undecodable record and the rest when there is no quarantine', async () => {
    const steps: Step[] = [];
    const logger = recordingLogger();
    const handler = createKinesisHandler({ eventTypes, sink: recordingSink(steps), logger });
    const response = await handler(lambdaEvent(records));
    expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(2)));
    expect(positions(steps)).toEqual(['q@1', 'q@2']);
    expect(logger.entries.at(-1)).toMatchObject({
      level: 'error',
      attributes: { reason: 'NotJson', sequenceNumber: records[2]?.kinesis.sequenceNumber },
    });
  });

  it('does not quarantine when the sink fails on the commits before the undecodable record', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      sink: recordingSink(steps, () => ({ handled: 1 })),
      quarantine: recordingQuarantine(steps),
      logger: recordingLogger(),
    });
    const response = await handler(lambdaEvent(records));
    expect(failuresOf(response)).toEqual(sequenceNumbers(records.slice(1)));
    expect(steps.filter((step) => step.kind === 'quarantine')).toEqual([]);
  });

  it('with onUnknownEventType "skip" delivers the commit without the unknown event', async () => {
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes,
      onUnknownEventType: 'skip',
      sink: recordingSink(steps),
      quarantine: recordingQuarantine(steps),
      logger: recordingLogger(),
    });
    expect((await handler(lambdaEvent(records))).batchItemFailures).toEqual([]);
    const skipped = deliveredOf(steps).find(({ commit }) => commit.streamId === 'u');
    expect(skipped?.commit).toMatchObject({ fromVersion: 1, toVersion: 1, events: [] });
    expect(
      steps.flatMap((step) => (step.kind === 'quarantine' ? [step.entry.reason] : [])),
    ).not.toContain('UnknownEventType');
  });
});

describe('upcasting', () => {
  it('upcasts old schema versions before decoding, with event types or a ready registry', async () => {
    const records = await realRecords([
      commitEntry(commitOf('up', 1, [{ type: 'Counted', data: { n: 7 }, schemaVersion: 1 }])),
      commitEntry(
        commitOf('up', 2, [
          { type: 'Counted', data: { n: 8, unit: 'kg' }, schemaVersion: 2 },
          { type: 'Renamed', data: { name: 'eight' } },
        ]),
      ),
    ]);
    const registry = createEventRegistry(eventTypes, { upcasters: [countedUpcasters] });
    const handlers = [
      (steps: Step[]) =>
        createKinesisHandler({
          eventTypes,
          upcasters: [countedUpcasters],
          sink: recordingSink(steps),
          logger: recordingLogger(),
        }),
      (steps: Step[]) =>
        createKinesisHandler({ registry, sink: recordingSink(steps), logger: recordingLogger() }),
    ];
    for (const makeHandler of handlers) {
      const steps: Step[] = [];
      const handler = makeHandler(steps);
      expect((await handler(lambdaEvent(records))).batchItemFailures).toEqual([]);
      const events = deliveredOf(steps).flatMap(({ commit }) => commit.events);
      expect(
        events.map(({ type, data, schemaVersion }) => ({ type, data, schemaVersion })),
      ).toEqual([
        { type: 'Counted', data: { n: 7, unit: 'each' }, schemaVersion: Counted.schemaVersion },
        { type: 'Counted', data: { n: 8, unit: 'kg' }, schemaVersion: 2 },
        { type: 'Renamed', data: { name: 'eight' }, schemaVersion: 1 },
      ]);
    }
  });

  it('quarantines an event whose schema has no upcaster path as MissingUpcaster', async () => {
    const records = await realRecords([
      commitEntry(commitOf('old', 1, [{ type: 'Counted', data: { n: 1 }, schemaVersion: 1 }])),
    ]);
    const steps: Step[] = [];
    const handler = createKinesisHandler({
      eventTypes, // no upcasters
      sink: recordingSink(steps),
      quarantine: recordingQuarantine(steps),
      logger: recordingLogger(),
    });
    expect((await handler(lambdaEvent(records))).batchItemFailures).toEqual([]);
    expect(steps).toMatchObject([
      { kind: 'quarantine', entry: { reason: 'MissingUpcaster', streamId: 'old', version: 1 } },
    ]);
  });
});
