import { ok as assertOk, deepStrictEqual, equal, fail } from 'node:assert/strict';
import type { Commit } from '../commit.js';
import type { StoreError } from '../errors.js';
import { ANY, NO_STREAM } from '../expected-version.js';
import type { HeadConflict, HeadWrite, StreamHead, StreamHeadStore } from '../stream-head-store.js';
import { type ContractSuiteOptions, contractSuite } from './test-api.js';
import { uniqueName } from './unique-name.js';
import { unwrap } from './unwrap.js';

/** Options of {@link streamHeadStoreContract}. */
export interface StreamHeadStoreContractOptions extends ContractSuiteOptions {
  /** Creates the store under test; called once per test. Streams are unique per test. */
  readonly create: () => StreamHeadStore | Promise<StreamHeadStore>;
  /**
   * How long `listPending` may lag behind writes (an eventually consistent index), in ms: its
   * checks are retried until then. Default 10 000.
   */
  readonly listPendingLagMs?: number;
}

const commitOf = (
  streamId: string,
  fromVersion: number,
  toVersion: number,
  commandId?: string,
): Commit => {
  const committedAt = new Date().toISOString();
  return {
    streamId,
    fromVersion,
    toVersion,
    ...(commandId === undefined ? {} : { commandId }),
    committedAt,
    events: Array.from({ length: toVersion - fromVersion + 1 }, (_, index) => ({
      type: 'ContractEvent',
      data: { n: fromVersion + index, nested: { list: [1, 'two'], none: null } },
      streamId,
      version: fromVersion + index,
      eventId: `${streamId}-${fromVersion + index}`,
      occurredAt: committedAt,
      schemaVersion: 1,
      metadata: commandId === undefined ? {} : { commandId },
    })),
  };
};

/** A head write of versions `expectedVersion + 1 .. expectedVersion + count`. */
const writeOf = (
  streamId: string,
  expectedVersion: number,
  options: { readonly count?: number; readonly commandId?: string } = {},
): HeadWrite => {
  const toVersion = expectedVersion + (options.count ?? 1);
  return {
    expectedVersion,
    commit: commitOf(streamId, expectedVersion + 1, toVersion, options.commandId),
    snapshot: { state: { upTo: toVersion, items: ['a', 'b'] }, stateVersion: 2 },
  };
};

const expectConflict = (
  result: { isOk(): boolean; error?: unknown },
  streamId: string,
  what: string,
): HeadConflict => {
  if (result.isOk()) fail(`${what} should have failed with a HeadConflict`);
  const error = result.error as HeadConflict | StoreError;
  if (error.kind !== 'HeadConflict') {
    fail(`${what}: expected a HeadConflict, got ${error.kind}: ${error.message}`);
  }
  equal(error.streamId, streamId, `${what}: the conflict names the stream`);
  assertOk(error.message.length > 0, `${what}: the conflict has a message`);
  return error;
};

const expectStoreError = (
  result: { isOk(): boolean; error?: unknown },
  code: StoreError['code'],
  what: string,
): StoreError => {
  if (result.isOk()) fail(`${what} should have failed with a StoreError ${code}`);
  const error = result.error as { kind: string; code?: string; message: string };
  if (error.kind !== 'StoreError') fail(`${what}: expected a StoreError, got ${error.kind}`);
  equal(error.code, code, `${what}: ${error.message}`);
  return error as StoreError;
};

const ack = async (store: StreamHeadStore, streamId: string, version: number) =>
  equal(await unwrap(store.acknowledge(streamId, version, `position-${version}`)), true);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it passes or `timeoutMs` has passed (then fails with its last error). */
const eventually = async (timeoutMs: number, check: () => Promise<void>): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(100);
    }
  }
};

const ids = (heads: readonly StreamHead[], ours: readonly string[]) =>
  heads.map((head) => head.streamId).filter((streamId) => ours.includes(streamId));

/**
 * The behaviour every {@link StreamHeadStore} must show, whatever its backend: conditional head
 * writes that report the current head on conflict (version, pending commit, command id), one
 * transaction over several heads, acknowledgements, pending heads oldest first, and the
 * `SnapshotStore` view over the same heads. Run `snapshotStoreContract` against the store too.
 *
 * @example
 * ```ts
 * streamHeadStoreContract('DynamoDBStreamHeadStore', {
 *   create: () => new DynamoDBStreamHeadStore({ client, tableName }),
 *   testApi: { describe, it, afterAll },
 * });
 * ```
 */
export const streamHeadStoreContract = (
  name: string,
  options: StreamHeadStoreContractOptions,
): void => {
  const lagMs = options.listPendingLagMs ?? 10_000;

  contractSuite('StreamHeadStore contract', name, options, (it) => {
    it('has no head and no snapshot for an unknown stream', async () => {
      const store = await options.create();
      const streamId = uniqueName('missing');
      equal(await unwrap(store.getHead(streamId)), undefined);
      equal(await unwrap(store.get(streamId)), undefined);
    });

    it('writes a first head with its pending commit, state and command id', async () => {
      const store = await options.create();
      const streamId = uniqueName('first');
      const write = writeOf(streamId, 0, { count: 2, commandId: 'cmd-1' });
      const written = await unwrap(store.writeHead(streamId, write));
      equal(written.previous, undefined);

      const head = await unwrap(store.getHead(streamId));
      if (head === undefined) fail('the head was not written');
      equal(head.streamId, streamId);
      equal(head.version, 2);
      deepStrictEqual(head.snapshot, { version: 2, ...write.snapshot });
      deepStrictEqual(head.pending, write.commit);
      assertOk(
        head.pendingSince !== undefined && !Number.isNaN(Date.parse(head.pendingSince)),
        `pendingSince is an ISO-8601 time, got ${head.pendingSince}`,
      );
      equal(head.lastPosition, undefined);
      deepStrictEqual(head.recentCommands, [
        {
          commandId: 'cmd-1',
          streamId,
          fromVersion: 1,
          toVersion: 2,
          committedAt: write.commit.committedAt,
        },
      ]);
      deepStrictEqual(await unwrap(store.get(streamId)), { version: 2, ...write.snapshot });
    });

    it('acknowledges a pending commit once and returns the position with the next write', async () => {
      const store = await options.create();
      const streamId = uniqueName('ack');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      equal(await unwrap(store.acknowledge(streamId, 2, 'p-2')), false, 'wrong version');
      equal(await unwrap(store.acknowledge(streamId, 1, 'p-1')), true);
      equal(await unwrap(store.acknowledge(streamId, 1, 'p-1')), false, 'already acknowledged');
      equal(await unwrap(store.acknowledge(uniqueName('none'), 1, 'p-1')), false, 'no head');

      const head = await unwrap(store.getHead(streamId));
      equal(head?.version, 1);
      equal(head?.pending, undefined);
      equal(head?.pendingSince, undefined);
      equal(head?.lastPosition, 'p-1');
      deepStrictEqual(head?.snapshot?.state, { upTo: 1, items: ['a', 'b'] });

      const next = await unwrap(store.writeHead(streamId, writeOf(streamId, 1)));
      equal(next.previous?.version, 1);
      equal(next.previous?.lastPosition, 'p-1');
      equal(next.previous?.pending, undefined);
      equal((await unwrap(store.getHead(streamId)))?.lastPosition, 'p-1', 'position kept');
    });

    it('refuses a write at the wrong version, returning the current head, and writes nothing', async () => {
      const store = await options.create();
      const streamId = uniqueName('version');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      await ack(store, streamId, 1);
      await unwrap(store.writeHead(streamId, writeOf(streamId, 1)));
      await ack(store, streamId, 2);
      for (const expected of [0, 1, 3]) {
        const conflict = expectConflict(
          await store.writeHead(streamId, writeOf(streamId, expected)),
          streamId,
          `a write expecting version ${expected}`,
        );
        equal(conflict.current?.version, 2);
        equal(conflict.current?.pending, undefined);
        equal(conflict.current?.lastPosition, 'position-2');
      }
      const missing = uniqueName('missing');
      const onMissing = expectConflict(
        await store.writeHead(missing, writeOf(missing, 4)),
        missing,
        'a write expecting version 4 of a missing head',
      );
      equal(onMissing.current, undefined);
      equal(await unwrap(store.getHead(missing)), undefined);
      const head = await unwrap(store.getHead(streamId));
      equal(head?.version, 2);
      deepStrictEqual(head?.snapshot?.state, { upTo: 2, items: ['a', 'b'] });
    });

    it('refuses a write while a commit is pending, returning that commit', async () => {
      const store = await options.create();
      const streamId = uniqueName('pending');
      const first = writeOf(streamId, 0, { commandId: 'cmd-1' });
      await unwrap(store.writeHead(streamId, first));
      const conflict = expectConflict(
        await store.writeHead(streamId, writeOf(streamId, 1, { commandId: 'cmd-2' })),
        streamId,
        'a write over a pending commit',
      );
      equal(conflict.current?.version, 1);
      deepStrictEqual(conflict.current?.pending, first.commit);
      const head = await unwrap(store.getHead(streamId));
      equal(head?.version, 1);
      deepStrictEqual(
        head?.recentCommands.map((command) => command.commandId),
        ['cmd-1'],
      );
      // Nor may a snapshot move the head under its unpublished commit.
      for (const expectedVersion of [1, ANY] as const) {
        const put = await store.put(
          streamId,
          { version: 5, state: { moved: true }, stateVersion: 1 },
          { expectedVersion },
        );
        if (put.isOk())
          fail(`a snapshot put (expected ${String(expectedVersion)}) moved a pending head`);
        equal(put.error.kind, 'ConcurrencyError');
      }
      equal((await unwrap(store.getHead(streamId)))?.pending?.toVersion, 1);
    });

    it('refuses a command id the stream has applied, returning the applied command', async () => {
      const store = await options.create();
      const streamId = uniqueName('command');
      await unwrap(
        store.writeHead(streamId, writeOf(streamId, 0, { count: 2, commandId: 'cmd-1' })),
      );
      await ack(store, streamId, 2);
      const conflict = expectConflict(
        await store.writeHead(streamId, writeOf(streamId, 2, { commandId: 'cmd-1' })),
        streamId,
        'a write with an applied command id',
      );
      equal(conflict.current?.version, 2);
      equal(conflict.current?.pending, undefined);
      const applied = conflict.current?.recentCommands.find(
        (command) => command.commandId === 'cmd-1',
      );
      deepStrictEqual([applied?.fromVersion, applied?.toVersion], [1, 2]);
      equal((await unwrap(store.getHead(streamId)))?.version, 2);
      // The same command id on another stream is another command.
      const other = uniqueName('command-other');
      await unwrap(store.writeHead(other, writeOf(other, 0, { commandId: 'cmd-1' })));
    });

    it('remembers command ids oldest first and forgets them on acknowledge', async () => {
      const store = await options.create();
      const streamId = uniqueName('forget');
      let version = 0;
      for (const commandId of ['cmd-a', 'cmd-b', 'cmd-c']) {
        await unwrap(store.writeHead(streamId, writeOf(streamId, version, { commandId })));
        version += 1;
        if (commandId !== 'cmd-c') await ack(store, streamId, version);
      }
      deepStrictEqual(
        (await unwrap(store.getHead(streamId)))?.recentCommands.map((command) => [
          command.commandId,
          command.fromVersion,
          command.toVersion,
        ]),
        [
          ['cmd-a', 1, 1],
          ['cmd-b', 2, 2],
          ['cmd-c', 3, 3],
        ],
      );
      equal(
        await unwrap(store.acknowledge(streamId, 3, 'p-3', { forgetCommands: ['cmd-a', 'cmd-b'] })),
        true,
      );
      const head = await unwrap(store.getHead(streamId));
      deepStrictEqual(
        head?.recentCommands.map((command) => command.commandId),
        ['cmd-c'],
      );
      equal(head?.lastPosition, 'p-3');
      // A forgotten command id is accepted again.
      await unwrap(store.writeHead(streamId, writeOf(streamId, 3, { commandId: 'cmd-a' })));
    });

    it('lets exactly one of several concurrent head writes at the same version win', async () => {
      const store = await options.create();
      const streamId = uniqueName('race');
      await unwrap(store.writeHead(streamId, writeOf(streamId, 0)));
      await ack(store, streamId, 1);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          store.writeHead(streamId, writeOf(streamId, 1, { commandId: `race-${index}` })),
        ),
      );
      equal(results.filter((result) => result.isOk()).length, 1, 'exactly one write wins');
      for (const result of results) {
        if (result.isErr()) expectConflict(result, streamId, 'a losing concurrent write');
      }
      equal((await unwrap(store.getHead(streamId)))?.version, 2);
    });

    it('writes several heads all or nothing, naming the stream whose condition failed', async () => {
      const store = await options.create();
      const [a, b, c, d] = ['many-a', 'many-b', 'many-c', 'many-d'].map(uniqueName) as [
        string,
        string,
        string,
        string,
      ];
      await unwrap(store.writeHead(c, writeOf(c, 0)));
      await ack(store, c, 1);
      await unwrap(store.writeHeads(new Map()));

      const refused = await store.writeHeads(
        new Map([
          [a, writeOf(a, 0)],
          [b, writeOf(b, 0)],
          [c, writeOf(c, 4)],
          [d, writeOf(d, 0)],
        ]),
      );
      const conflict = expectConflict(refused, c, 'writeHeads with one stale version');
      assertOk(conflict.message.includes(c), 'the message names the stream');
      equal(conflict.current?.version, 1);
      for (const streamId of [a, b, d]) {
        equal(await unwrap(store.getHead(streamId)), undefined, `nothing written to ${streamId}`);
      }
      equal((await unwrap(store.getHead(c)))?.version, 1);

      await unwrap(
        store.writeHeads(
          new Map([
            [a, writeOf(a, 0)],
            [c, writeOf(c, 1)],
          ]),
        ),
      );
      const overPending = expectConflict(
        await store.writeHeads(
          new Map([
            [b, writeOf(b, 0)],
            [a, writeOf(a, 1)],
          ]),
        ),
        a,
        'writeHeads over a pending commit',
      );
      equal(overPending.current?.pending?.toVersion, 1);
      equal(await unwrap(store.getHead(b)), undefined, 'nothing written to b');
      equal((await unwrap(store.getHead(a)))?.version, 1);
      equal((await unwrap(store.getHead(c)))?.version, 2);
      equal((await unwrap(store.getHead(c)))?.pending?.toVersion, 2);
    });

    it('lists pending heads oldest first, and not acknowledged ones', async () => {
      const store = await options.create();
      const [a, b, c] = ['list-a', 'list-b', 'list-c'].map(uniqueName) as [string, string, string];
      await unwrap(store.writeHead(a, writeOf(a, 0)));
      await sleep(20);
      await unwrap(store.writeHead(b, writeOf(b, 0, { count: 3 })));
      await sleep(20);
      await unwrap(store.writeHead(c, writeOf(c, 0)));
      await ack(store, c, 1);
      await eventually(lagMs, async () => {
        const pending = await unwrap(store.listPending());
        deepStrictEqual(ids(pending, [a, b, c]), [a, b]);
        const headOfB = pending.find((head) => head.streamId === b);
        equal(headOfB?.version, 3);
        equal(headOfB?.pending?.toVersion, 3);
        assertOk(headOfB?.pendingSince !== undefined, 'a pending head has pendingSince');
      });
      const pendingSince = pendingSinceOf(await unwrap(store.listPending()));
      assertOk(
        pendingSince.every(
          (since, index) => index === 0 || (pendingSince[index - 1] ?? '') <= since,
        ),
        'oldest first',
      );
      deepStrictEqual(ids(await unwrap(store.listPending({ minAgeMs: 3_600_000 })), [a, b]), []);
      assertOk((await unwrap(store.listPending({ limit: 1 }))).length <= 1, 'limit is respected');
      await ack(store, a, 1);
      await ack(store, b, 3);
      await eventually(lagMs, async () => {
        deepStrictEqual(ids(await unwrap(store.listPending()), [a, b, c]), []);
      });
    });

    it('serves as a snapshot store over the same heads', async () => {
      const store = await options.create();
      const streamId = uniqueName('snapshot');
      await unwrap(
        store.put(
          streamId,
          { version: 3, state: { total: 3 }, stateVersion: 1 },
          { expectedVersion: NO_STREAM },
        ),
      );
      const head = await unwrap(store.getHead(streamId));
      equal(head?.version, 3);
      deepStrictEqual(head?.snapshot, { version: 3, state: { total: 3 }, stateVersion: 1 });
      equal(head?.pending, undefined);
      deepStrictEqual(head?.recentCommands, []);
      await unwrap(store.writeHead(streamId, writeOf(streamId, 3, { commandId: 'after-put' })));
      deepStrictEqual(await unwrap(store.get(streamId)), {
        version: 4,
        state: { upTo: 4, items: ['a', 'b'] },
        stateVersion: 2,
      });
    });

    it('refuses an empty stream id with InvalidInput', async () => {
      const store = await options.create();
      expectStoreError(await store.getHead(''), 'InvalidInput', 'getHead of an empty stream id');
      expectStoreError(
        await store.writeHead('', {
          expectedVersion: 0,
          commit: commitOf('', 1, 1),
          snapshot: { state: {}, stateVersion: 1 },
        }),
        'InvalidInput',
        'writeHead of an empty stream id',
      );
      expectStoreError(
        await store.put(
          '',
          { version: 1, state: {}, stateVersion: 1 },
          { expectedVersion: NO_STREAM },
        ),
        'InvalidInput',
        'put of an empty stream id',
      );
      expectStoreError(
        await store.acknowledge('', 1, 'p'),
        'InvalidInput',
        'acknowledge of an empty stream id',
      );
    });
  });
};

const pendingSinceOf = (heads: readonly StreamHead[]): string[] =>
  heads.map((head) => head.pendingSince ?? '');
