import { describe, expect, it } from 'vitest';
import { NO_STREAM } from '../expected-version.js';
import { unwrap } from '../testing/unwrap.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

const event = (n: number) => ({ type: 'E', data: { n }, schemaVersion: 1 });

describe('InMemoryEventStore', () => {
  it('stores copies: callers cannot change stored events afterwards', async () => {
    const store = new InMemoryEventStore();
    const data = { n: 1, list: [1] };
    await unwrap(store.append('s', NO_STREAM, [{ type: 'E', data, schemaVersion: 1 }]));
    data.list.push(2);
    const loaded = await unwrap(store.load('s'));
    expect(loaded.events[0]?.data).toEqual({ n: 1, list: [1] });
  });

  it('stores what JSON can carry, as a real store would', async () => {
    const store = new InMemoryEventStore();
    await unwrap(
      store.append('s', NO_STREAM, [
        { type: 'E', data: { at: new Date(0), gone: undefined }, schemaVersion: 1 },
      ]),
    );
    expect((await unwrap(store.load('s'))).events[0]?.data).toEqual({
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('throws on programmer errors: no events, a stream twice in appendMany, a bad version', () => {
    const store = new InMemoryEventStore();
    expect(() => store.append('s', NO_STREAM, [])).toThrow(RangeError);
    expect(() =>
      store.appendMany([
        { streamId: 's', expectedVersion: NO_STREAM, events: [event(1)] },
        { streamId: 's', expectedVersion: 1, events: [event(2)] },
      ]),
    ).toThrow(/appears more than once/);
    expect(() => store.append('s', -1, [event(1)])).toThrow(RangeError);
  });

  it('publishes every commit to its log in commit order, with the clock it was given', async () => {
    const log = new InMemoryEventLog();
    const store = new InMemoryEventStore({
      log,
      clock: () => new Date('2026-01-02T03:04:05.000Z'),
    });
    await unwrap(store.append('a', NO_STREAM, [event(1), event(2)]));
    await unwrap(store.append('b', NO_STREAM, [event(1)]));
    await unwrap(store.append('a', 2, [event(3)]));
    const commits = log
      .read()
      .map(({ position, commit }) => [
        position,
        commit.streamId,
        commit.fromVersion,
        commit.toVersion,
      ]);
    expect(commits).toEqual([
      [0, 'a', 1, 2],
      [1, 'b', 1, 1],
      [2, 'a', 3, 3],
    ]);
    expect(log.read(0, 1)[0]?.commit.committedAt).toBe('2026-01-02T03:04:05.000Z');
  });
});

describe('InMemoryEventLog', () => {
  it('delivers the backlog and then new commits, in batches, once each', async () => {
    const log = new InMemoryEventLog();
    const store = new InMemoryEventStore({ log });
    for (let n = 1; n <= 5; n += 1) await unwrap(store.append(`s-${n}`, NO_STREAM, [event(n)]));
    const seen: string[] = [];
    const sizes: number[] = [];
    const subscription = log.subscribe(
      async (batch) => {
        sizes.push(batch.length);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(...batch.map((entry) => entry.commit.streamId));
      },
      { batchSize: 2 },
    );
    await subscription.caughtUp();
    expect(seen).toEqual(['s-1', 's-2', 's-3', 's-4', 's-5']);
    expect(sizes).toEqual([2, 2, 1]);
    await unwrap(store.append('s-6', NO_STREAM, [event(6)]));
    await subscription.caughtUp();
    expect(seen).toHaveLength(6);
    expect(subscription.position).toBe(6);
    subscription.unsubscribe();
    await unwrap(store.append('s-7', NO_STREAM, [event(7)]));
    await subscription.caughtUp();
    expect(seen).toHaveLength(6);
  });

  it('starts from a position and stops at a failing listener, reporting the failure', async () => {
    const log = new InMemoryEventLog();
    const store = new InMemoryEventStore({ log });
    for (let n = 1; n <= 4; n += 1) await unwrap(store.append(`s-${n}`, NO_STREAM, [event(n)]));
    const seen: number[] = [];
    const subscription = log.subscribe(
      (batch) => {
        for (const entry of batch) {
          if (entry.position === 3) throw new Error('sink down');
          seen.push(entry.position);
        }
      },
      { fromPosition: 1, batchSize: 1 },
    );
    await expect(subscription.caughtUp()).rejects.toThrow('sink down');
    expect(seen).toEqual([1, 2]);
    expect(subscription.position).toBe(3);
  });
});
