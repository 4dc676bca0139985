import { describe, expect, it } from 'vitest';
import {
  CreateProduct,
  Product,
  ProductCreated,
  ProductPriced,
  ReserveStock,
  SetPrice,
  StockReserved,
} from '../internal/fixtures.js';
import { defineProjection } from '../projection.js';
import { deciderSpec } from './decider-spec.js';
import { projectionSpec } from './projection-spec.js';

const spec = deciderSpec(Product);
const mug = ProductCreated.create({ name: 'Mug', price: 10, stock: 3 });

describe('deciderSpec', () => {
  it('passes when the decider decides the expected events, state or refusal', () => {
    spec
      .given([])
      .when(CreateProduct.create({ name: 'Mug', price: 10, stock: 3 }))
      .then([mug]);
    spec
      .given([mug])
      .when(SetPrice.create({ price: 10 }))
      .thenNothing();
    spec
      .given([mug])
      .when(ReserveStock.create({ quantity: 2, reservationId: 'r-1' }))
      .thenState({ exists: true, name: 'Mug', price: 10, stock: 1, reservations: 1 });
    spec
      .given([mug])
      .when(ReserveStock.create({ quantity: 4, reservationId: 'r-1' }))
      .thenFails('OutOfStock', (error) =>
        expect(error.details).toEqual({ requested: 4, available: 3 }),
      );
  });

  it('fails with a readable message when the decider does something else', () => {
    expect(() =>
      spec
        .given([mug])
        .when(SetPrice.create({ price: 11 }))
        .then([ProductPriced.create({ price: 12, currency: 'EUR' })]),
    ).toThrow(/Expected values to be strictly deep-equal/);
    expect(() =>
      spec
        .given([mug])
        .when(ReserveStock.create({ quantity: 9, reservationId: 'r' }))
        .then([]),
    ).toThrow(/expected ReserveStock to be accepted, but it failed with OutOfStock/);
    expect(() =>
      spec
        .given([mug])
        .when(ReserveStock.create({ quantity: 1, reservationId: 'r' }))
        .thenFails('OutOfStock'),
    ).toThrow(/expected ReserveStock to fail with OutOfStock, but it decided/);
    expect(() =>
      spec
        .given([])
        .when(SetPrice.create({ price: 1 }))
        .thenFails('OutOfStock'),
    ).toThrow();
  });
});

describe('projectionSpec', () => {
  const stock = defineProjection({
    name: 'stock',
    events: [ProductCreated, StockReserved],
    handlers: {
      ProductCreated: (event, levels: Map<string, number>) => {
        levels.set(event.streamId, event.data.stock);
      },
      StockReserved: (event, levels: Map<string, number>) => {
        levels.set(event.streamId, (levels.get(event.streamId) ?? 0) - event.data.quantity);
      },
    },
  });

  it('projects given and when events per stream and hands the context to the assertion', async () => {
    await projectionSpec(stock, { context: () => new Map<string, number>() })
      .given([
        mug,
        { ...ProductCreated.create({ name: 'Cup', price: 1, stock: 8 }), streamId: 'cup' },
      ])
      .when([
        StockReserved.create({ quantity: 2, reservationId: 'r' }),
        { ...StockReserved.create({ quantity: 5, reservationId: 'q' }), streamId: 'cup' },
      ])
      .then((levels, report) => {
        expect(levels.get('stream-1')).toBe(1);
        expect(levels.get('cup')).toBe(3);
        expect(report.applied).toBe(2);
      });
  });

  it('reports failures by code, and fails when the expectation is wrong', async () => {
    const failing = defineProjection({
      name: 'failing',
      events: [ProductCreated],
      handlers: {
        ProductCreated: () => {
          throw new Error('nope');
        },
      },
    });
    await projectionSpec(failing, { context: () => undefined })
      .given([])
      .when([mug])
      .thenFails('HandlerFailed');
    await expect(
      projectionSpec(stock, { context: () => new Map<string, number>() })
        .given([])
        .when([mug])
        .thenFails('Gap'),
    ).rejects.toThrow(/expected the projection to fail with Gap/);
    await expect(
      projectionSpec(failing, { context: () => undefined })
        .given([])
        .when([mug])
        .then(() => {}),
    ).rejects.toThrow(/the when events failed to project/);
  });
});
