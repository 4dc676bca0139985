import { errAsync, type ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from './command-handler.js';
import { type ConcurrencyError, concurrencyError, type StoreError, storeError } from './errors.js';
import type { AppendOptions, EventStore, NewEvent, Snapshot } from './event-store.js';
import type { ExpectedVersion } from './expected-version.js';
import { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
import { InMemorySnapshotStore } from './in-memory/in-memory-snapshot-store.js';
import { CreateProduct, Product, ReserveStock, SetPrice } from './internal/fixtures.js';
import { loadAggregate } from './load-aggregate.js';
import { neverSnapshot, snapshotEveryNEvents } from './snapshot-policy.js';
import { unwrap, unwrapErr } from './testing/unwrap.js';

const mug = CreateProduct.create({ name: 'Mug', price: 10, stock: 5 });
const noWait = { sleep: async () => {} };

/** Wraps a store so that the first `n` appends fail with a version conflict, as a racing writer would cause. */
const conflictingFirst = (inner: EventStore, n: number): EventStore & { appends: number } => {
  const wrapper = {
    appends: 0,
    load: (streamId: string, options?: { commandId?: string }) => inner.load(streamId, options),
    append: (
      streamId: string,
      expected: ExpectedVersion,
      events: readonly NewEvent[],
      options?: AppendOptions,
    ): ResultAsync<never, ConcurrencyError> | ReturnType<EventStore['append']> => {
      wrapper.appends += 1;
      if (wrapper.appends <= n) {
        return errAsync(
          concurrencyError({ streamId, expectedVersion: expected, actualVersion: 99 }),
        );
      }
      return inner.append(streamId, expected, events, options);
    },
    appendMany: inner.appendMany.bind(inner),
  };
  return wrapper;
};

describe('createCommandHandler', () => {
  it('decides, appends and returns the new state, version and events', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    const created = await unwrap(products.handle('p-1', mug));
    expect(created.duplicate).toBe(false);
    if (created.duplicate) return;
    expect(created.version).toBe(1);
    expect(created.state).toEqual({
      exists: true,
      name: 'Mug',
      price: 10,
      stock: 5,
      reservations: 0,
    });
    expect(created.events).toHaveLength(1);
    expect(created.events[0]).toMatchObject({
      type: 'ProductCreated',
      streamId: 'p-1',
      version: 1,
      schemaVersion: 1,
    });

    const reserved = await unwrap(
      products.handle('p-1', ReserveStock.create({ quantity: 2, reservationId: 'r-1' })),
    );
    expect(reserved.version).toBe(2);
    const loaded = await unwrap(loadAggregate(eventStore, Product, 'p-1'));
    expect(loaded.state.stock).toBe(3);
    expect(loaded.version).toBe(2);
  });

  it('returns a domain refusal as a DomainError and appends nothing', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(products.handle('p-1', mug));
    const error = await unwrapErr(
      products.handle('p-1', ReserveStock.create({ quantity: 6, reservationId: 'r-1' })),
    );
    expect(error).toMatchObject({
      kind: 'DomainError',
      code: 'OutOfStock',
      details: { requested: 6, available: 5 },
    });
    expect(eventStore.readStream('p-1')).toHaveLength(1);
  });

  it('appends nothing when the decider decides nothing', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(products.handle('p-1', mug));
    const result = await unwrap(products.handle('p-1', SetPrice.create({ price: 10 })));
    expect(result).toMatchObject({ duplicate: false, version: 1, events: [] });
    expect(eventStore.readStream('p-1')).toHaveLength(1);
  });

  it('decodes untrusted input and names every failing field', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    const wrongShape = await unwrapErr(
      products.handleInput('p-1', { type: 'CreateProduct', data: { name: 3, price: 'ten' } }),
    );
    expect(wrongShape.kind).toBe('ValidationError');
    if (wrongShape.kind !== 'ValidationError') return;
    expect(wrongShape.issues.map((issue) => issue.path)).toEqual(['name', 'price', 'stock']);
    expect(wrongShape.message).toContain('invalid command CreateProduct');

    const unknownType = await unwrapErr(products.handleInput('p-1', { type: 'Explode', data: {} }));
    expect(unknownType).toMatchObject({
      kind: 'ValidationError',
      issues: [{ path: 'type', actual: '"Explode"' }],
    });
    expect(unknownType.message).toContain('CreateProduct | SetPrice | ReserveStock');
    expect(await unwrapErr(products.handleInput('p-1', 'hello'))).toMatchObject({
      kind: 'ValidationError',
    });
    expect(eventStore.readStream('p-1')).toEqual([]);

    const ok = await unwrap(
      products.handleInput('p-1', {
        type: 'CreateProduct',
        data: { name: 'Mug', price: 1, stock: 1 },
      }),
    );
    expect(ok.version).toBe(1);
  });

  it('carries correlation, causation and command ids, and user metadata, to every event', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(
      products.handle('p-1', mug, {
        commandId: 'cmd-1',
        correlationId: 'req-7',
        metadata: { userId: 'u-1' },
      }),
    );
    await unwrap(
      products.handle('p-1', SetPrice.create({ price: 11 }), {
        commandId: 'cmd-2',
        causationId: 'evt-9',
      }),
    );
    await unwrap(products.handle('p-1', SetPrice.create({ price: 12 })));
    const [first, second, third] = eventStore.readStream('p-1');
    expect(first?.metadata).toEqual({
      userId: 'u-1',
      correlationId: 'req-7',
      causationId: 'cmd-1',
      commandId: 'cmd-1',
    });
    expect(second?.metadata).toEqual({
      correlationId: 'cmd-2',
      causationId: 'evt-9',
      commandId: 'cmd-2',
    });
    expect(third?.metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(third?.metadata.commandId).toBeUndefined();
  });

  it('returns the first result for a repeated command id and appends nothing', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(products.handle('p-1', mug));
    const reserve = ReserveStock.create({ quantity: 5, reservationId: 'r-1' });
    const first = await unwrap(products.handle('p-1', reserve, { commandId: 'reserve-1' }));
    // The stock is now 0: deciding again would refuse, but the repeat must see the first result.
    const again = await unwrap(products.handle('p-1', reserve, { commandId: 'reserve-1' }));
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({
      duplicate: true,
      version: 2,
      applied: { commandId: 'reserve-1', fromVersion: 2, toVersion: 2 },
    });
    expect(eventStore.readStream('p-1')).toHaveLength(2);
  });

  it('dedupes concurrent repeats of one command id: one appends, the others report it', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore, ...noWait });
    await unwrap(products.handle('p-1', mug));
    const reserve = ReserveStock.create({ quantity: 1, reservationId: 'r-1' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        unwrap(products.handle('p-1', reserve, { commandId: 'same' })),
      ),
    );
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(eventStore.readStream('p-1')).toHaveLength(2);
  });

  it('retries version conflicts with jittered, growing backoff and then succeeds', async () => {
    const store = conflictingFirst(new InMemoryEventStore(), 3);
    const delays: number[] = [];
    const products = createCommandHandler(Product, {
      eventStore: store,
      retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 25 },
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const result = await unwrap(products.handle('p-1', mug));
    expect(result.attempts).toBe(4);
    expect(delays).toEqual([9, 19, 24]);
  });

  it('gives up after maxAttempts with a ConcurrencyError that says how often it tried', async () => {
    const store = conflictingFirst(new InMemoryEventStore(), 100);
    const products = createCommandHandler(Product, {
      eventStore: store,
      retry: { maxAttempts: 3 },
      ...noWait,
    });
    const error = await unwrapErr(products.handle('p-1', mug));
    expect(error).toMatchObject({ kind: 'ConcurrencyError', streamId: 'p-1', attempts: 3 });
    expect(error.message).toContain('gave up after 3 attempts');
    expect(store.appends).toBe(3);
  });

  it('does not retry when the caller named the version it expects', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(products.handle('p-1', mug));
    const error = await unwrapErr(
      products.handle('p-1', SetPrice.create({ price: 3 }), { expectedVersion: 0 }),
    );
    expect(error).toMatchObject({
      kind: 'ConcurrencyError',
      expectedVersion: 0,
      actualVersion: 1,
      attempts: 1,
    });
    await unwrap(products.handle('p-1', SetPrice.create({ price: 3 }), { expectedVersion: 1 }));
  });

  it('refuses to decide on a stream holding an event type the aggregate does not know', async () => {
    const eventStore = new InMemoryEventStore();
    const products = createCommandHandler(Product, { eventStore });
    await unwrap(products.handle('p-1', mug));
    // Another writer (newer code) stored an event type this code does not know.
    await unwrap(
      eventStore.append('p-1', 1, [{ type: 'ProductRetired', data: {}, schemaVersion: 1 }]),
    );
    const error = await unwrapErr(products.handle('p-1', SetPrice.create({ price: 3 })));
    expect(error).toMatchObject({
      kind: 'StoreError',
      code: 'UnknownEventType',
      streamId: 'p-1',
      version: 2,
    });
    expect(error.message).toContain('unknown event type "ProductRetired" at p-1@2');
    expect(eventStore.readStream('p-1')).toHaveLength(2);
  });

  it('passes store failures through as StoreError values', async () => {
    const broken: EventStore = {
      load: () => errAsync(storeError('Unavailable', 'the table is throttled')),
      append: () => errAsync(storeError('Unavailable', 'unreachable')),
      appendMany: () => errAsync(storeError('Unavailable', 'unreachable')),
    };
    const products = createCommandHandler(Product, { eventStore: broken });
    expect(await unwrapErr(products.handle('p-1', mug))).toMatchObject({
      kind: 'StoreError',
      code: 'Unavailable',
    });
  });

  describe('snapshots', () => {
    const withSnapshot = (snapshot: Snapshot): EventStore => ({
      load: (streamId) =>
        new InMemoryEventStore()
          .load(streamId)
          .map((loaded) => ({ ...loaded, version: 3, snapshot })),
      append: () => errAsync<never, StoreError>(storeError('Unexpected', 'not used')),
      appendMany: () => errAsync<never, StoreError>(storeError('Unexpected', 'not used')),
    });

    it('refuses a snapshot written by newer code, naming both state versions', async () => {
      const products = createCommandHandler(Product, {
        eventStore: withSnapshot({ version: 3, state: {}, stateVersion: 3 }),
      });
      const error = await unwrapErr(products.handle('p-1', SetPrice.create({ price: 1 })));
      expect(error).toMatchObject({
        kind: 'StoreError',
        code: 'SnapshotFromNewerCode',
        streamId: 'p-1',
        version: 3,
      });
      expect(error.message).toContain('stateVersion 3, newer than Product');
    });

    it('migrates an older snapshot with migrateState', async () => {
      const state = { exists: true, name: 'Mug', price: 4, stock: 2 };
      const loaded = await unwrap(
        loadAggregate(withSnapshot({ version: 3, state, stateVersion: 1 }), Product, 'p-1'),
      );
      expect(loaded.state).toEqual({ ...state, reservations: 0 });
      expect(loaded.snapshotVersion).toBe(3);
    });

    it('reports an older snapshot as SnapshotOutdated when there is no migrateState', async () => {
      const { migrateState: _, ...withoutMigration } = Product;
      const error = await unwrapErr(
        loadAggregate(
          withSnapshot({ version: 3, state: {}, stateVersion: 1 }),
          withoutMigration,
          'p-1',
        ),
      );
      expect(error.code).toBe('SnapshotOutdated');
    });

    it('reports a snapshot that fails the state codec as InvalidSnapshot', async () => {
      const error = await unwrapErr(
        loadAggregate(
          withSnapshot({ version: 3, state: { exists: 'yes' }, stateVersion: 2 }),
          Product,
          'p-1',
        ),
      );
      expect(error.code).toBe('InvalidSnapshot');
    });

    it('stores snapshots by policy and loads from the latest one', async () => {
      const snapshots = new InMemorySnapshotStore();
      const eventStore = new InMemoryEventStore({ snapshots });
      const products = createCommandHandler(Product, {
        eventStore,
        snapshotPolicy: snapshotEveryNEvents(3),
      });
      await unwrap(products.handle('p-1', mug));
      for (let price = 1; price <= 6; price += 1) {
        await unwrap(products.handle('p-1', SetPrice.create({ price })));
      }
      const stored = await unwrap(snapshots.get('p-1'));
      expect(stored?.version).toBe(6);
      const loaded = await unwrap(eventStore.load('p-1'));
      expect(loaded.events.map((event) => event.version)).toEqual([7]);
      const state = await unwrap(loadAggregate(eventStore, Product, 'p-1'));
      expect(state.state.price).toBe(6);
      expect(state.snapshotVersion).toBe(6);

      const none = new InMemorySnapshotStore();
      const plain = createCommandHandler(Product, {
        eventStore: new InMemoryEventStore({ snapshots: none }),
        snapshotPolicy: neverSnapshot(),
      });
      await unwrap(plain.handle('p-1', mug));
      expect(await unwrap(none.get('p-1'))).toBeUndefined();
    });
  });

  describe('100 concurrent commands on one stream', () => {
    it('end in gapless versions with no lost update; each loser retried to success or got a ConcurrencyError', async () => {
      const eventStore = new InMemoryEventStore();
      const products = createCommandHandler(Product, {
        eventStore,
        retry: { maxAttempts: 8, initialDelayMs: 1, maxDelayMs: 4 },
      });
      await unwrap(
        products.handle('p-1', CreateProduct.create({ name: 'Mug', price: 1, stock: 1000 })),
      );
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          products.handle('p-1', ReserveStock.create({ quantity: 1, reservationId: `r-${index}` })),
        ),
      );
      const succeeded = results.filter((result) => result.isOk());
      const failed = results.filter((result) => result.isErr());
      for (const result of failed) {
        expect(result._unsafeUnwrapErr()).toMatchObject({ kind: 'ConcurrencyError', attempts: 8 });
      }
      expect(succeeded.length + failed.length).toBe(100);
      // Contention was real: some commands needed retries.
      expect(succeeded.some((result) => result._unsafeUnwrap().attempts > 1)).toBe(true);

      const events = eventStore.readStream('p-1');
      expect(events.map((event) => event.version)).toEqual(
        Array.from({ length: events.length }, (_, index) => index + 1),
      );
      expect(events.length).toBe(1 + succeeded.length);
      const state = await unwrap(loadAggregate(eventStore, Product, 'p-1'));
      expect(state.state.stock).toBe(1000 - succeeded.length);
      expect(state.state.reservations).toBe(succeeded.length);
      const reservationIds = events
        .slice(1)
        .map((event) => (event.data as { reservationId: string }).reservationId);
      expect(new Set(reservationIds).size).toBe(succeeded.length);
    });

    it('all succeed when retries are generous enough', async () => {
      const eventStore = new InMemoryEventStore();
      const products = createCommandHandler(Product, {
        eventStore,
        retry: { maxAttempts: 200, initialDelayMs: 1, maxDelayMs: 2 },
      });
      await unwrap(
        products.handle('p-1', CreateProduct.create({ name: 'Mug', price: 1, stock: 1000 })),
      );
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          products.handle('p-1', ReserveStock.create({ quantity: 1, reservationId: `r-${index}` })),
        ),
      );
      expect(results.every((result) => result.isOk())).toBe(true);
      expect(eventStore.readStream('p-1')).toHaveLength(101);
      expect((await unwrap(loadAggregate(eventStore, Product, 'p-1'))).state.stock).toBe(900);
    });
  });
});
