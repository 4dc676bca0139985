import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  errAsync,
  InMemoryStreamHeadStore,
  type NewEvent,
  NO_STREAM,
  type StreamHeadStore,
} from '@tributary/core';
import { eventStoreContract, unwrap, unwrapErr } from '@tributary/core/testing';
import { createStreamHeadTable, DynamoDBStreamHeadStore } from '@tributary/dynamodb';
import {
  connectLocalAws,
  injectFaults,
  SimulatedCrash,
  uniqueResourceName,
} from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KinesisEventStore, type KinesisEventStoreOptions } from './kinesis-event-store.js';
import { createTestStream } from './test-support/kinesis-stream.js';
import { checkCommitLog, readAllCommits } from './test-support/read-stream.js';

const aws = connectLocalAws(inject('tributaryLocalAws'));
afterAll(() => aws.destroy());

let streamName: string;
let tableName: string;
beforeAll(async () => {
  streamName = await createTestStream(aws.kinesis);
  tableName = uniqueResourceName('heads');
  const created = await createStreamHeadTable(aws.dynamodb, tableName);
  if (created.isErr()) throw new Error(created.error.message);
});

/** Both head stores: the in-memory reference and DynamoDB Local through the real client. */
const headStores: ReadonlyArray<readonly [string, () => StreamHeadStore]> = [
  ['in-memory heads', () => new InMemoryStreamHeadStore()],
  ['DynamoDB heads', () => new DynamoDBStreamHeadStore({ client: aws.dynamodb, tableName })],
];

const event = (n: number): NewEvent => ({ type: 'Counted', data: { n }, schemaVersion: 1 });
const snapshot = (n: number) => ({ snapshot: { state: { count: n }, stateVersion: 1 } });

const store = (
  heads: StreamHeadStore,
  overrides: Partial<KinesisEventStoreOptions> & { kinesis?: KinesisClient } = {},
) =>
  new KinesisEventStore({
    kinesis: aws.kinesis,
    streamName,
    heads,
    sleep: async () => {},
    ...overrides,
  });

const commitsOf = async (streamId: string) =>
  (await readAllCommits(aws.kinesis, streamName)).filter((commit) => commit.streamId === streamId);

for (const [name, makeHeads] of headStores) {
  eventStoreContract(`KinesisEventStore over ${name}`, {
    create: () => store(makeHeads()),
    readsEvents: false,
    testApi: { describe, it, afterAll },
  });
}

describe.each(headStores)(
  'KinesisEventStore commit protocol (%s, real kinesalite)',
  (_name, makeHeads) => {
    it('publishes each commit as one record keyed by stream id, in commit order', async () => {
      const eventStore = store(makeHeads());
      const streamId = uniqueResourceName('ordered');
      let version = 0;
      for (let n = 1; n <= 5; n += 1) {
        const result = await unwrap(
          eventStore.append(
            streamId,
            version === 0 ? NO_STREAM : version,
            [event(n), event(n)],
            snapshot(n),
          ),
        );
        if (result.duplicate) throw new Error('unexpected duplicate');
        expect(result.publication).toMatchObject({ published: true });
        version = result.commit.toVersion;
      }
      const commits = await commitsOf(streamId);
      expect(commits.map((commit) => [commit.fromVersion, commit.toVersion])).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
        [9, 10],
      ]);
      expect(checkCommitLog(commits).get(streamId)).toHaveLength(10);
    });

    it('recovers a crash after the head write and before PutRecord on the next load', async () => {
      const heads = makeHeads();
      const streamId = uniqueResourceName('crash-before-put');
      const eventStore = store(heads);
      await unwrap(eventStore.append(streamId, NO_STREAM, [event(1)], snapshot(1)));
      const faults = injectFaults(aws.kinesis, [{ commands: 'PutRecord', fault: 'crashBefore' }]);
      try {
        await expect(
          eventStore.append(streamId, 1, [event(2)], snapshot(2)),
        ).rejects.toBeInstanceOf(SimulatedCrash);
      } finally {
        faults.remove();
      }
      expect((await unwrap(heads.getHead(streamId)))?.pending?.toVersion).toBe(2);
      expect((await commitsOf(streamId)).map((commit) => commit.toVersion)).toEqual([1]);
      // A later load publishes the pending commit before anything else happens to the stream.
      const loaded = await unwrap(eventStore.load(streamId));
      expect(loaded.version).toBe(2);
      expect((await unwrap(heads.getHead(streamId)))?.pending).toBeUndefined();
      expect(checkCommitLog(await commitsOf(streamId)).get(streamId)).toEqual([1, 2]);
    });

    it('recovers a crash after PutRecord and before the acknowledgement: a duplicate, dropped by version', async () => {
      const heads = makeHeads();
      const streamId = uniqueResourceName('crash-after-put');
      const eventStore = store(heads);
      const faults = injectFaults(aws.kinesis, [{ commands: 'PutRecord', fault: 'crashAfter' }]);
      try {
        await expect(
          eventStore.append(streamId, NO_STREAM, [event(1)], snapshot(1)),
        ).rejects.toBeInstanceOf(SimulatedCrash);
      } finally {
        faults.remove();
      }
      await unwrap(eventStore.append(streamId, 1, [event(2)], snapshot(2)));
      const commits = await commitsOf(streamId);
      expect(commits.map((commit) => commit.toVersion)).toEqual([1, 1, 2]);
      expect(checkCommitLog(commits).get(streamId)).toEqual([1, 2]);
    });

    it('retries a throttled PutRecord, and reports a commit it could not publish as durable but unpublished', async () => {
      const heads = makeHeads();
      const streamId = uniqueResourceName('throttled');
      const eventStore = store(heads, { publishRetry: { maxAttempts: 4 } });
      let faults = injectFaults(aws.kinesis, [
        { commands: 'PutRecord', fault: 'throttle', times: 3 },
      ]);
      const first = await unwrap(eventStore.append(streamId, NO_STREAM, [event(1)], snapshot(1)));
      faults.remove();
      expect(first).toMatchObject({ duplicate: false, publication: { published: true } });
      expect(faults.faults('PutRecord')).toBe(3);

      faults = injectFaults(aws.kinesis, [{ commands: 'PutRecord', fault: 'throttle', times: 4 }]);
      const second = await unwrap(eventStore.append(streamId, 1, [event(2)], snapshot(2)));
      faults.remove();
      expect(second).toMatchObject({ duplicate: false, publication: { published: false } });
      if (second.duplicate || second.publication?.published !== false)
        throw new Error('expected unpublished');
      expect(second.publication.error).toMatchObject({
        kind: 'StoreError',
        code: 'Unavailable',
        streamId,
      });
      expect(second.publication.error.message).toContain('publishPending');
      expect((await commitsOf(streamId)).map((commit) => commit.toVersion)).toEqual([1]);

      // The sweeper finds it through the index and publishes it.
      const report = await unwrap(eventStore.publishPending());
      expect(report.published).toBeGreaterThanOrEqual(1);
      expect(checkCommitLog(await commitsOf(streamId)).get(streamId)).toEqual([1, 2]);
    });

    it('publishes a pending commit before the next append of the stream', async () => {
      const heads = makeHeads();
      const streamId = uniqueResourceName('pending-then-append');
      const eventStore = store(heads);
      const faults = injectFaults(aws.kinesis, [{ commands: 'PutRecord', fault: 'crashBefore' }]);
      await expect(eventStore.append(streamId, NO_STREAM, [event(1)], snapshot(1))).rejects.toThrow(
        SimulatedCrash,
      );
      faults.remove();
      // No load in between: the append itself finds the pending commit, publishes it, and goes on.
      const result = await unwrap(eventStore.append(streamId, 1, [event(2)], snapshot(2)));
      expect(result.duplicate).toBe(false);
      expect(checkCommitLog(await commitsOf(streamId)).get(streamId)).toEqual([1, 2]);
    });

    it('appends to several streams all-or-nothing under a conflict on one of them', async () => {
      const heads = makeHeads();
      const eventStore = store(heads);
      const [a, b, c] = ['a', 'b', 'c'].map((name) => uniqueResourceName(`many-${name}`)) as [
        string,
        string,
        string,
      ];
      await unwrap(eventStore.append(b, NO_STREAM, [event(1)], snapshot(1)));
      const refused = await unwrapErr(
        eventStore.appendMany([
          { streamId: a, expectedVersion: NO_STREAM, events: [event(1)], options: snapshot(1) },
          { streamId: b, expectedVersion: 7, events: [event(2)], options: snapshot(2) },
          { streamId: c, expectedVersion: NO_STREAM, events: [event(1)], options: snapshot(1) },
        ]),
      );
      expect(refused).toMatchObject({ kind: 'ConcurrencyError', streamId: b, actualVersion: 1 });
      expect(refused.message).toContain(`stream ${b}`);
      expect(await unwrap(heads.getHead(a))).toBeUndefined();
      expect(await unwrap(heads.getHead(c))).toBeUndefined();
      expect(await commitsOf(a)).toEqual([]);

      const results = await unwrap(
        eventStore.appendMany([
          {
            streamId: a,
            expectedVersion: NO_STREAM,
            events: [event(1)],
            options: { commandId: 'reserve-1', ...snapshot(1) },
          },
          {
            streamId: b,
            expectedVersion: 1,
            events: [event(2)],
            options: { commandId: 'reserve-1', ...snapshot(2) },
          },
          {
            streamId: c,
            expectedVersion: NO_STREAM,
            events: [event(1)],
            options: { commandId: 'reserve-1', ...snapshot(1) },
          },
        ]),
      );
      expect(
        results.map((result) => (result.duplicate ? 'duplicate' : result.publication?.published)),
      ).toEqual([true, true, true]);
      for (const streamId of [a, b, c])
        expect((await unwrap(heads.getHead(streamId)))?.pending).toBeUndefined();
      expect(checkCommitLog(await commitsOf(b)).get(b)).toEqual([1, 2]);

      // The same multi-stream command again: nothing is written twice.
      const again = await unwrap(
        eventStore.appendMany([
          {
            streamId: a,
            expectedVersion: 1,
            events: [event(9)],
            options: { commandId: 'reserve-1', ...snapshot(9) },
          },
          {
            streamId: b,
            expectedVersion: 2,
            events: [event(9)],
            options: { commandId: 'reserve-1', ...snapshot(9) },
          },
        ]),
      );
      expect(again.map((result) => result.duplicate)).toEqual([true, true]);
      expect((await unwrap(heads.getHead(a)))?.version).toBe(1);
    });

    it('recognises its own head write after a lost answer, even once someone else published it', async () => {
      const heads = makeHeads();
      const streamId = uniqueResourceName('lost-answer');
      const helper = store(heads);
      // The head write lands, its answer is "lost", a load elsewhere publishes and acknowledges
      // the commit, and the SDK's retry of the write fails its condition.
      const lossy: StreamHeadStore = {
        get: (id) => heads.get(id),
        put: (id, snap, options) => heads.put(id, snap, options),
        getHead: (id) => heads.getHead(id),
        writeHeads: (writes) => heads.writeHeads(writes),
        acknowledge: (id, version, position, options) =>
          heads.acknowledge(id, version, position, options),
        listPending: (options) => heads.listPending(options),
        writeHead: (id, write) =>
          heads.writeHead(id, write).andThen(() =>
            helper.load(id).andThen(() =>
              heads.getHead(id).andThen((current) =>
                errAsync({
                  kind: 'HeadConflict' as const,
                  message: 'retry failed its condition',
                  streamId: id,
                  current,
                }),
              ),
            ),
          ),
      };
      const result = await unwrap(
        store(lossy).append(streamId, NO_STREAM, [event(1)], snapshot(1)),
      );
      expect(result).toMatchObject({ duplicate: false, publication: { published: true } });
      expect((await unwrap(heads.getHead(streamId)))?.version).toBe(1);
      expect(checkCommitLog(await commitsOf(streamId)).get(streamId)).toEqual([1]);
    });

    it('keeps at most the command-id limit per head, also when only appendMany writes it', async () => {
      const heads = makeHeads();
      const eventStore = store(heads, { recentCommandLimit: 3 });
      const [a, b] = ['a', 'b'].map((name) => uniqueResourceName(`trim-${name}`)) as [
        string,
        string,
      ];
      for (let n = 1; n <= 8; n += 1) {
        await unwrap(
          eventStore.appendMany([
            {
              streamId: a,
              expectedVersion: n - 1,
              events: [event(n)],
              options: { commandId: `cmd-${n}`, ...snapshot(n) },
            },
            {
              streamId: b,
              expectedVersion: n - 1,
              events: [event(n)],
              options: { commandId: `cmd-${n}`, ...snapshot(n) },
            },
          ]),
        );
      }
      for (const streamId of [a, b]) {
        const head = await unwrap(heads.getHead(streamId));
        expect(head?.pending).toBeUndefined();
        expect(head?.recentCommands.map((command) => command.commandId)).toEqual([
          'cmd-6',
          'cmd-7',
          'cmd-8',
        ]);
      }
      // appendMany is atomic: a retry whose id one stream has forgotten is still a duplicate of
      // the whole request, and writes nothing anywhere.
      await unwrap(eventStore.append(a, 8, [event(9)], { commandId: 'other-1', ...snapshot(9) }));
      await unwrap(eventStore.append(a, 9, [event(10)], { commandId: 'other-2', ...snapshot(10) }));
      await unwrap(
        eventStore.append(a, 10, [event(11)], { commandId: 'other-3', ...snapshot(11) }),
      );
      expect(
        (await unwrap(heads.getHead(a)))?.recentCommands.map((command) => command.commandId),
      ).not.toContain('cmd-8');
      const retried = await unwrap(
        eventStore.appendMany([
          {
            streamId: a,
            expectedVersion: 11,
            events: [event(8)],
            options: { commandId: 'cmd-8', ...snapshot(8) },
          },
          {
            streamId: b,
            expectedVersion: 7,
            events: [event(8)],
            options: { commandId: 'cmd-8', ...snapshot(8) },
          },
        ]),
      );
      expect(retried.map((result) => result.duplicate)).toEqual([true, true]);
      expect((await unwrap(heads.getHead(a)))?.version).toBe(11);
      expect((await unwrap(heads.getHead(b)))?.version).toBe(8);
    });

    it('refuses bad input with typed errors and writes nothing', async () => {
      const heads = makeHeads();
      const eventStore = store(heads);
      expect(
        await unwrapErr(eventStore.append('', NO_STREAM, [event(1)], snapshot(1))),
      ).toMatchObject({
        kind: 'StoreError',
        code: 'InvalidInput',
      });
      const long = 'x'.repeat(257);
      const tooLong = await unwrapErr(eventStore.append(long, NO_STREAM, [event(1)], snapshot(1)));
      expect(tooLong).toMatchObject({ code: 'InvalidInput' });
      expect(tooLong.message).toContain('257 characters');
      expect(await unwrap(heads.getHead(long))).toBeUndefined();

      const streamId = uniqueResourceName('too-big');
      const big: NewEvent = {
        type: 'Blob',
        data: { text: 'y'.repeat(1_100_000) },
        schemaVersion: 1,
      };
      const tooBig = await unwrapErr(eventStore.append(streamId, NO_STREAM, [big], snapshot(1)));
      expect(tooBig).toMatchObject({ code: 'LimitExceeded', streamId });
      expect(tooBig.message).toContain('1048576');
      expect(await unwrap(heads.getHead(streamId))).toBeUndefined();
      expect(await commitsOf(streamId)).toEqual([]);
      expect(() => eventStore.append(streamId, NO_STREAM, [event(1)])).toThrow(/needs a snapshot/);
    });
  },
);
