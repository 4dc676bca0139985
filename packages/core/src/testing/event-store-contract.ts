import { ok as assertOk, deepStrictEqual, equal, fail, match, notEqual } from 'node:assert/strict';
import type { ConcurrencyError, StoreError } from '../errors.js';
import type { AppendResult, EventStore, NewEvent } from '../event-store.js';
import { ANY, NO_STREAM, STREAM_EXISTS } from '../expected-version.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link eventStoreContract}. */
export interface EventStoreContractOptions extends ContractSuiteOptions {
  /** Creates the store under test; called once per test. Streams are unique per test. */
  readonly create: () => EventStore | Promise<EventStore>;
  /**
   * `false` for stores that keep only each stream's head (state snapshot) and cannot return a
   * stream's events, like the Kinesis event store. Such stores get a snapshot with every append
   * in this suite, and event-reading checks become snapshot checks.
   */
  readonly readsEvents?: boolean;
}

const event = (n: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  type: 'ContractEvent',
  data: { n, nested: { list: [n, `${n}`], flag: n % 2 === 0 } },
  schemaVersion: 1,
  ...extra,
});

const expectConcurrencyError = (
  error: ConcurrencyError | StoreError,
  streamId: string,
): ConcurrencyError => {
  if (error.kind !== 'ConcurrencyError') {
    fail(`expected a ConcurrencyError for ${streamId}, got ${error.kind}: ${error.message}`);
  }
  equal(error.streamId, streamId);
  return error;
};

const committed = (result: AppendResult) => {
  if (result.duplicate) fail('expected a new commit, got a duplicate');
  return result.commit;
};

/**
 * The behaviour every {@link EventStore} must show. Call it inside a test file with a factory for
 * the store under test; the in-memory store and every adapter run the same suite.
 *
 * @example
 * ```ts
 * // kinesis-event-store.integration.test.ts
 * eventStoreContract('KinesisEventStore', {
 *   create: () => new KinesisEventStore({ ... }),
 *   readsEvents: false,
 * });
 * ```
 */
export const eventStoreContract = (name: string, options: EventStoreContractOptions): void => {
  const readsEvents = options.readsEvents ?? true;
  const snapshotFor = (version: number) =>
    readsEvents ? {} : { snapshot: { state: { upTo: version }, stateVersion: 1 } };

  contractSuite('EventStore contract', name, options, (it) => {
    it('loads an unknown stream as version 0 with nothing in it', async () => {
      const store = await options.create();
      const loaded = await unwrap(store.load(uniqueName('missing')));
      equal(loaded.version, 0);
      deepStrictEqual(loaded.events, []);
      equal(loaded.snapshot, undefined);
      equal(loaded.appliedCommand, undefined);
    });

    it('appends a commit with gapless 1-based versions and complete envelopes', async () => {
      const store = await options.create();
      const streamId = uniqueName('stream');
      const before = Date.now();
      const first = committed(
        await unwrap(
          store.append(streamId, NO_STREAM, [event(1), event(2)], {
            metadata: { correlationId: 'corr-1', tenant: 'acme' },
            ...snapshotFor(2),
          }),
        ),
      );
      equal(first.streamId, streamId);
      equal(first.fromVersion, 1);
      equal(first.toVersion, 2);
      deepStrictEqual(
        first.events.map((envelope) => envelope.version),
        [1, 2],
      );
      const committedAt = Date.parse(first.committedAt);
      assertOk(
        committedAt >= before - 1000 && committedAt <= Date.now() + 1000,
        'committedAt is now',
      );
      for (const envelope of first.events) {
        equal(envelope.streamId, streamId);
        equal(envelope.type, 'ContractEvent');
        equal(envelope.schemaVersion, 1);
        equal(envelope.occurredAt, first.committedAt);
        equal(envelope.metadata.correlationId, 'corr-1');
        equal(envelope.metadata.tenant, 'acme');
        match(envelope.eventId, /\S+/);
      }
      notEqual(first.events[0]?.eventId, first.events[1]?.eventId);

      const second = committed(await unwrap(store.append(streamId, 2, [event(3)], snapshotFor(3))));
      equal(second.fromVersion, 3);
      equal(second.toVersion, 3);
      assertOk(
        (second.events[0]?.eventId ?? '') > (first.events[1]?.eventId ?? ''),
        'event ids are time-ordered',
      );

      const loaded = await unwrap(store.load(streamId));
      equal(loaded.version, 3);
      if (readsEvents) {
        deepStrictEqual(
          loaded.events.map((envelope) => [envelope.version, envelope.data]),
          [
            [1, event(1).data],
            [2, event(2).data],
            [3, event(3).data],
          ],
        );
        deepStrictEqual(loaded.events.slice(0, 2), [...first.events]);
      } else {
        deepStrictEqual(loaded.snapshot?.state, { upTo: 3 });
      }
    });

    it('keeps event ids and event metadata given by the caller; event metadata wins', async () => {
      const store = await options.create();
      const streamId = uniqueName('ids');
      const commit = committed(
        await unwrap(
          store.append(
            streamId,
            NO_STREAM,
            [event(1, { eventId: 'my-id-1', metadata: { correlationId: 'own', extra: 1 } })],
            { metadata: { correlationId: 'shared', causationId: 'cause' }, ...snapshotFor(1) },
          ),
        ),
      );
      equal(commit.events[0]?.eventId, 'my-id-1');
      deepStrictEqual(commit.events[0]?.metadata, {
        correlationId: 'own',
        causationId: 'cause',
        extra: 1,
      });
    });

    it('refuses an append at the wrong expected version and writes nothing', async () => {
      const store = await options.create();
      const streamId = uniqueName('conflict');
      await unwrap(store.append(streamId, NO_STREAM, [event(1)], snapshotFor(1)));
      for (const expected of [0, 2, 5, NO_STREAM] as const) {
        const result = await store.append(streamId, expected, [event(99)], snapshotFor(99));
        if (result.isOk()) fail(`append at expected ${String(expected)} should have failed`);
        const error = expectConcurrencyError(result.error, streamId);
        equal(error.expectedVersion, expected);
        if (error.actualVersion !== undefined) equal(error.actualVersion, 1);
      }
      const missing = uniqueName('missing');
      const onMissing = await store.append(missing, STREAM_EXISTS, [event(1)], snapshotFor(1));
      if (onMissing.isOk()) fail('STREAM_EXISTS on a missing stream should fail');
      expectConcurrencyError(onMissing.error, missing);
      const onMissingExact = await store.append(missing, 1, [event(1)], snapshotFor(1));
      if (onMissingExact.isOk()) fail('expected version 1 on a missing stream should fail');

      const loaded = await unwrap(store.load(streamId));
      equal(loaded.version, 1);
      if (readsEvents) equal(loaded.events.length, 1);
      else deepStrictEqual(loaded.snapshot?.state, { upTo: 1 });
      equal((await unwrap(store.load(missing))).version, 0);
    });

    it('accepts STREAM_EXISTS, ANY and an exact version when they match', async () => {
      const store = await options.create();
      const streamId = uniqueName('flexible');
      committed(await unwrap(store.append(streamId, ANY, [event(1)], snapshotFor(1))));
      committed(await unwrap(store.append(streamId, STREAM_EXISTS, [event(2)], snapshotFor(2))));
      committed(await unwrap(store.append(streamId, ANY, [event(3)], snapshotFor(3))));
      const last = committed(await unwrap(store.append(streamId, 3, [event(4)], snapshotFor(4))));
      equal(last.toVersion, 4);
      const fresh = uniqueName('fresh');
      committed(await unwrap(store.append(fresh, 0, [event(1)], snapshotFor(1))));
    });

    it('applies a command id once per stream and reports the earlier commit', async () => {
      const store = await options.create();
      const streamId = uniqueName('idempotent');
      const first = committed(
        await unwrap(
          store.append(streamId, NO_STREAM, [event(1), event(2)], {
            commandId: 'cmd-1',
            ...snapshotFor(2),
          }),
        ),
      );
      equal(first.commandId, 'cmd-1');
      equal(first.events[0]?.metadata.commandId, 'cmd-1');
      // A retry of the same command with a stale or a current expected version.
      for (const expected of [NO_STREAM, 2, ANY] as const) {
        const again = await unwrap(
          store.append(streamId, expected, [event(9)], { commandId: 'cmd-1', ...snapshotFor(9) }),
        );
        if (!again.duplicate)
          fail(`command cmd-1 was applied twice (expected ${String(expected)})`);
        deepStrictEqual(
          [
            again.applied.commandId,
            again.applied.streamId,
            again.applied.fromVersion,
            again.applied.toVersion,
          ],
          ['cmd-1', streamId, 1, 2],
        );
      }
      const loaded = await unwrap(store.load(streamId, { commandId: 'cmd-1' }));
      equal(loaded.version, 2);
      equal(loaded.appliedCommand?.toVersion, 2);
      equal(loaded.appliedCommand?.fromVersion, 1);
      equal((await unwrap(store.load(streamId, { commandId: 'cmd-2' }))).appliedCommand, undefined);
      // The same command id on another stream is another command.
      const other = uniqueName('idempotent-other');
      committed(
        await unwrap(
          store.append(other, NO_STREAM, [event(1)], { commandId: 'cmd-1', ...snapshotFor(1) }),
        ),
      );
    });

    it('stores a snapshot with a commit and loads it with only the later events', async () => {
      const store = await options.create();
      const streamId = uniqueName('snapshot');
      await unwrap(
        store.append(streamId, NO_STREAM, [event(1), event(2)], {
          snapshot: { state: { total: 3, items: ['a', 'b'] }, stateVersion: 2 },
        }),
      );
      let loaded = await unwrap(store.load(streamId));
      deepStrictEqual(loaded.snapshot, {
        version: 2,
        state: { total: 3, items: ['a', 'b'] },
        stateVersion: 2,
      });
      deepStrictEqual(loaded.events, []);
      if (!readsEvents) return;
      await unwrap(store.append(streamId, 2, [event(3)]));
      loaded = await unwrap(store.load(streamId));
      equal(loaded.version, 3);
      equal(loaded.snapshot?.version, 2);
      deepStrictEqual(
        loaded.events.map((envelope) => envelope.version),
        [3],
      );
    });

    it('lets exactly one of several concurrent appends at the same version win', async () => {
      const store = await options.create();
      const streamId = uniqueName('race');
      await unwrap(store.append(streamId, NO_STREAM, [event(1)], snapshotFor(1)));
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          store.append(streamId, 1, [event(100 + index)], snapshotFor(100 + index)),
        ),
      );
      const winners = results.filter((result) => result.isOk());
      equal(winners.length, 1, 'exactly one concurrent append wins');
      for (const result of results) {
        if (result.isErr()) expectConcurrencyError(result.error, streamId);
      }
      equal((await unwrap(store.load(streamId))).version, 2);
    });

    it('appends to several streams atomically, or to none', async () => {
      const store = await options.create();
      const a = uniqueName('many-a');
      const b = uniqueName('many-b');
      const c = uniqueName('many-c');
      await unwrap(store.append(b, NO_STREAM, [event(1)], snapshotFor(1)));

      const refused = await store.appendMany([
        { streamId: a, expectedVersion: NO_STREAM, events: [event(1)], options: snapshotFor(1) },
        { streamId: b, expectedVersion: 5, events: [event(2)], options: snapshotFor(2) },
        { streamId: c, expectedVersion: NO_STREAM, events: [event(1)], options: snapshotFor(1) },
      ]);
      if (refused.isOk()) fail('appendMany with one stale expected version should fail');
      const error = expectConcurrencyError(refused.error, b);
      assertOk(error.message.includes(b), 'the error message names the stream');
      equal((await unwrap(store.load(a))).version, 0, 'nothing was written to the first stream');
      equal((await unwrap(store.load(b))).version, 1);
      equal((await unwrap(store.load(c))).version, 0, 'nothing was written to the last stream');

      const results = await unwrap(
        store.appendMany([
          {
            streamId: a,
            expectedVersion: NO_STREAM,
            events: [event(1), event(2)],
            options: snapshotFor(2),
          },
          {
            streamId: b,
            expectedVersion: 1,
            events: [event(2)],
            options: { commandId: 'many-1', ...snapshotFor(2) },
          },
        ]),
      );
      deepStrictEqual(
        results.map((result) => {
          const commit = committed(result);
          return [commit.streamId, commit.fromVersion, commit.toVersion];
        }),
        [
          [a, 1, 2],
          [b, 2, 2],
        ],
      );
      equal((await unwrap(store.load(a))).version, 2);
      equal((await unwrap(store.load(b))).version, 2);
    });
  });
};
