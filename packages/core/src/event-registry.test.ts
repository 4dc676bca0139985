import { describe, expect, it } from 'vitest';
import type { RawEventEnvelope } from './event.js';
import { createEventRegistry } from './event-registry.js';
import {
  ProductCreated,
  ProductPriced,
  productPricedUpcasters,
  StockReserved,
} from './internal/fixtures.js';

const envelope = (
  fields: Partial<RawEventEnvelope> & Pick<RawEventEnvelope, 'type' | 'data'>,
): RawEventEnvelope => ({
  streamId: 'product-1',
  version: 1,
  eventId: 'e-1',
  occurredAt: '2026-11-23T10:00:00.000Z',
  schemaVersion: 1,
  metadata: {},
  ...fields,
});

describe('createEventRegistry', () => {
  const registry = createEventRegistry([ProductCreated, ProductPriced, StockReserved], {
    upcasters: [productPricedUpcasters],
  });

  it('encodes events with their current schema version', () => {
    expect(registry.encode(ProductPriced.create({ price: 3, currency: 'USD' }))).toEqual({
      type: 'ProductPriced',
      data: { price: 3, currency: 'USD' },
      schemaVersion: 2,
    });
  });

  it('upcasts old schema versions before decoding', () => {
    const decoded = registry
      .decode(envelope({ type: 'ProductPriced', data: { amount: 12 }, schemaVersion: 1 }))
      ._unsafeUnwrap();
    expect(decoded).toMatchObject({
      type: 'ProductPriced',
      data: { price: 12, currency: 'EUR' },
      schemaVersion: 2,
    });
  });

  it('names an unknown event type, with the stream and version', () => {
    const error = registry
      .decode(envelope({ type: 'ProductDeleted', data: {}, version: 4 }))
      ._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: 'StoreError',
      code: 'UnknownEventType',
      streamId: 'product-1',
      version: 4,
    });
    expect(error.message).toContain('unknown event type "ProductDeleted" at product-1@4');
  });

  it('skips unknown types when asked to', () => {
    const skipping = createEventRegistry([ProductCreated], { onUnknownType: 'skip' });
    expect(skipping.decode(envelope({ type: 'Other', data: {} }))._unsafeUnwrap()).toBeUndefined();
    expect(
      skipping
        .decodeAll([
          envelope({ type: 'Other', data: {} }),
          envelope({ type: 'ProductCreated', data: { name: 'a', price: 1, stock: 1 }, version: 2 }),
        ])
        ._unsafeUnwrap(),
    ).toHaveLength(1);
  });

  it('reports data that fails its codec with every failing path', () => {
    const error = registry
      .decode(envelope({ type: 'ProductCreated', data: { name: 5, price: '1' } }))
      ._unsafeUnwrapErr();
    expect(error.code).toBe('InvalidEvent');
    expect(error.message).toContain('name: expected string');
    expect(error.message).toContain('price: expected number');
    expect(error.message).toContain('stock: expected number');
  });

  it('refuses schema versions newer than the code and versions with no upcaster path', () => {
    expect(
      registry
        .decode(envelope({ type: 'ProductPriced', data: {}, schemaVersion: 3 }))
        ._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'MissingUpcaster' });
    const noUpcasters = createEventRegistry([ProductPriced]);
    const error = noUpcasters
      .decode(envelope({ type: 'ProductPriced', data: { amount: 1 }, schemaVersion: 1 }))
      ._unsafeUnwrapErr();
    expect(error.code).toBe('MissingUpcaster');
    expect(error.message).toContain('no upcaster turns v1 into v2');
  });

  it('turns a throwing upcaster into an InvalidEvent error', () => {
    const throwing = createEventRegistry([ProductPriced], {
      upcasters: [
        {
          type: 'ProductPriced',
          targetVersion: 2,
          steps: new Map([
            [
              1,
              () => {
                throw new Error('boom');
              },
            ],
          ]),
        },
      ],
    });
    expect(
      throwing
        .decode(envelope({ type: 'ProductPriced', data: {}, schemaVersion: 1 }))
        ._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'InvalidEvent' });
  });

  it('refuses to encode an event type it does not know (a programmer error)', () => {
    expect(() =>
      createEventRegistry([ProductCreated]).encode(
        StockReserved.create({ quantity: 1, reservationId: 'r' }) as never,
      ),
    ).toThrow(/not one of the registered event types/);
  });

  it('refuses inconsistent definitions', () => {
    expect(() =>
      createEventRegistry([ProductCreated], { upcasters: [productPricedUpcasters] }),
    ).toThrow(/not a registered event type/);
  });
});
