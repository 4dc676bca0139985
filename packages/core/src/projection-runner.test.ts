import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from './command-handler.js';
import type { Commit } from './commit.js';
import { InMemoryEventLog } from './in-memory/in-memory-event-log.js';
import { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
import { InMemoryProjectionStore } from './in-memory/in-memory-projection-store.js';
import {
  CreateProduct,
  Product,
  ProductCreated,
  ProductPriced,
  productPricedUpcasters,
  ReserveStock,
  SetPrice,
  StockReserved,
} from './internal/fixtures.js';
import { defineProjection } from './projection.js';
import { createProjectionRunner } from './projection-runner.js';
import { unwrap, unwrapErr } from './testing/unwrap.js';

type Row = { name: string; price: number; stock: number };

const catalogue = (rows: Map<string, Row>, options: { failOn?: number } = {}) =>
  defineProjection({
    name: 'catalogue',
    events: [ProductCreated, ProductPriced, StockReserved],
    upcasters: [productPricedUpcasters],
    handlers: {
      ProductCreated: (event) => {
        rows.set(event.streamId, { ...event.data });
      },
      ProductPriced: (event) => {
        const row = rows.get(event.streamId);
        if (row !== undefined) row.price = event.data.price;
      },
      StockReserved: (event) => {
        if (event.data.quantity === options.failOn) throw new Error('read model is down');
        const row = rows.get(event.streamId);
        if (row !== undefined) row.stock -= event.data.quantity;
      },
    },
  });

const commit = (
  streamId: string,
  fromVersion: number,
  events: Array<{ type: string; data: unknown; schemaVersion?: number }>,
): Commit => ({
  streamId,
  fromVersion,
  toVersion: fromVersion + events.length - 1,
  committedAt: '2026-11-23T00:00:00.000Z',
  events: events.map((event, index) => ({
    schemaVersion: 1,
    ...event,
    streamId,
    version: fromVersion + index,
    eventId: `${streamId}-${fromVersion + index}`,
    occurredAt: '2026-11-23T00:00:00.000Z',
    metadata: {},
  })),
});

const created = (stock = 10) => ({
  type: 'ProductCreated',
  data: { name: 'Mug', price: 5, stock },
});
const reserved = (quantity: number) => ({
  type: 'StockReserved',
  data: { quantity, reservationId: 'r' },
});

const runnerFor = (rows: Map<string, Row>) =>
  createProjectionRunner({
    projections: [catalogue(rows)],
    store: new InMemoryProjectionStore(),
    context: undefined,
  });

describe('createProjectionRunner', () => {
  it('applies commits in order and skips redelivered versions', async () => {
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    const batch = [commit('p-1', 1, [created()]), commit('p-1', 2, [reserved(2), reserved(3)])];
    expect(await unwrap(runner.handle(batch))).toEqual({
      applied: 3,
      skipped: 0,
      firstSeenMidway: [],
    });
    expect(await unwrap(runner.handle(batch))).toEqual({
      applied: 0,
      skipped: 2,
      firstSeenMidway: [],
    });
    expect(rows.get('p-1')).toEqual({ name: 'Mug', price: 5, stock: 5 });
  });

  it('upcasts old events before handing them to handlers', async () => {
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    await unwrap(
      runner.handle([
        commit('p-1', 1, [
          created(),
          { type: 'ProductPriced', data: { amount: 8 }, schemaVersion: 1 },
        ]),
      ]),
    );
    expect(rows.get('p-1')?.price).toBe(8);
  });

  it('reports a gap in a tracked stream as an error and applies nothing after it', async () => {
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    const error = await unwrapErr(
      runner.handle([
        commit('p-1', 1, [created()]),
        commit('p-1', 3, [reserved(1)]),
        commit('p-2', 1, [created()]),
      ]),
    );
    expect(error).toMatchObject({
      kind: 'ProjectionError',
      code: 'Gap',
      streamId: 'p-1',
      version: 3,
      lastApplied: 1,
      failedAt: 1,
    });
    expect(error.message).toContain('versions 2..2 are missing');
    expect(rows.has('p-2')).toBe(false);
    // The commit before the gap stays applied: redelivering it is a no-op.
    expect(await unwrap(runner.handle([commit('p-1', 1, [created()])]))).toMatchObject({
      skipped: 1,
    });
  });

  it('accepts a stream first seen mid-way and reports it', async () => {
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    const report = await unwrap(runner.handle([commit('p-9', 4, [created()])]));
    expect(report.firstSeenMidway).toEqual([
      { projection: 'catalogue', projectionVersion: 1, streamId: 'p-9', fromVersion: 4 },
    ]);
    expect(rows.has('p-9')).toBe(true);
  });

  it('on a handler failure keeps the commits before it and names the failing one', async () => {
    const rows = new Map<string, Row>();
    const store = new InMemoryProjectionStore();
    const runner = createProjectionRunner({
      projections: [catalogue(rows, { failOn: 7 })],
      store,
      context: undefined,
    });
    const batch = [
      commit('p-1', 1, [created()]),
      commit('p-1', 2, [reserved(1)]),
      commit('p-1', 3, [reserved(7)]),
      commit('p-1', 4, [reserved(1)]),
    ];
    const error = await unwrapErr(runner.handle(batch));
    expect(error).toMatchObject({
      code: 'HandlerFailed',
      streamId: 'p-1',
      version: 3,
      failedAt: 2,
    });
    expect(rows.get('p-1')?.stock).toBe(9);
    expect((await unwrap(store.getPositions('catalogue@v1', ['p-1']))).get('p-1')).toBe(2);
  });

  it('stops at an event whose data fails its codec, naming stream, version and paths', async () => {
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    const error = await unwrapErr(
      runner.handle([
        commit('p-1', 1, [{ type: 'ProductCreated', data: { name: 'Mug', price: 'free' } }]),
        commit('p-2', 1, [created()]),
      ]),
    );
    expect(error).toMatchObject({ code: 'InvalidEvent', streamId: 'p-1', version: 1, failedAt: 0 });
    expect(error.message).toMatch(/price: expected number.*stock: expected number/);
    expect(rows.size).toBe(0);
  });

  it('ignores event types and streams a projection does not handle', async () => {
    const rows = new Map<string, Row>();
    const store = new InMemoryProjectionStore();
    const runner = createProjectionRunner({
      projections: [catalogue(rows)],
      store,
      context: undefined,
    });
    const report = await unwrap(
      runner.handle([commit('cart-1', 1, [{ type: 'CartOpened', data: {} }])]),
    );
    expect(report).toEqual({ applied: 0, skipped: 0, firstSeenMidway: [] });
    expect((await unwrap(store.getPositions('catalogue@v1', ['cart-1']))).size).toBe(0);
  });

  it('runs two versions of one projection side by side, each with its own positions', async () => {
    const live = new Map<string, Row>();
    const rebuilt = new Map<string, Row>();
    const store = new InMemoryProjectionStore();
    const v2 = { ...catalogue(rebuilt), version: 2 };
    const liveRunner = createProjectionRunner({
      projections: [catalogue(live)],
      store,
      context: undefined,
    });
    await unwrap(
      liveRunner.handle([commit('p-1', 1, [created()]), commit('p-1', 2, [reserved(1)])]),
    );
    // The rebuild starts from the beginning although v1 has applied both commits already.
    const both = createProjectionRunner({
      projections: [catalogue(live), v2],
      store,
      context: undefined,
    });
    const report = await unwrap(
      both.handle([commit('p-1', 1, [created()]), commit('p-1', 2, [reserved(1)])]),
    );
    expect(report).toMatchObject({ applied: 2, skipped: 2 });
    expect(rebuilt).toEqual(live);
    expect(() =>
      createProjectionRunner({ projections: [v2, v2], store, context: undefined }),
    ).toThrow(/catalogue@v2 is registered twice/);
  });

  it('is fed by the in-memory log end to end from the command handler', async () => {
    const log = new InMemoryEventLog();
    const eventStore = new InMemoryEventStore({ log });
    const products = createCommandHandler(Product, { eventStore });
    const rows = new Map<string, Row>();
    const runner = runnerFor(rows);
    const subscription = log.subscribe(async (batch) => {
      const result = await runner.handle(batch.map((entry) => entry.commit));
      if (result.isErr()) throw new Error(result.error.message);
    });
    await unwrap(products.handle('p-1', CreateProduct.create({ name: 'Mug', price: 5, stock: 3 })));
    await unwrap(products.handle('p-1', SetPrice.create({ price: 6 })));
    await unwrap(
      products.handle('p-1', ReserveStock.create({ quantity: 2, reservationId: 'r-1' })),
    );
    await subscription.caughtUp();
    expect(rows.get('p-1')).toEqual({ name: 'Mug', price: 6, stock: 1 });
  });

  it('ends in the state of one clean pass whatever the redeliveries (property)', async () => {
    // A log of commits over a few streams, delivered in random batches where every failed or
    // random tail is delivered again and single commits are duplicated.
    const log = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 })), {
        minLength: 1,
        maxLength: 40,
      })
      .map((entries) => {
        const versions = new Map<number, number>();
        return entries.map(([stream, count]) => {
          const version = versions.get(stream) ?? 0;
          versions.set(stream, version + count);
          const events = Array.from({ length: count }, (_, index) =>
            version + index === 0 ? created(1000) : reserved(version + index),
          );
          return commit(`p-${stream}`, version + 1, events);
        });
      });
    await fc.assert(
      fc.asyncProperty(
        log,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (commits, sizes, duplicates) => {
          const clean = new Map<string, Row>();
          await unwrap(runnerFor(clean).handle(commits));

          const rows = new Map<string, Row>();
          const runner = runnerFor(rows);
          let position = 0;
          let step = 0;
          while (position < commits.length) {
            const size = sizes[step % sizes.length] ?? 1;
            step += 1;
            const batch = commits.slice(position, position + size);
            // Redeliver an earlier commit (duplicate) in front of the batch now and then.
            const duplicate = duplicates[step % Math.max(1, duplicates.length)];
            const earlier =
              duplicate === undefined || position === 0
                ? []
                : [commits[duplicate % position] as Commit];
            await unwrap(runner.handle([...earlier, ...batch]));
            // Every other batch is delivered twice, as after a lost acknowledgement.
            if (step % 2 === 0) await unwrap(runner.handle(batch));
            position += size;
          }
          expect(rows).toEqual(clean);
        },
      ),
      { numRuns: 150 },
    );
  });
});
