import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decodeWith } from './decode.js';

const Order = t.type({
  id: t.string,
  items: t.array(t.type({ sku: t.string, quantity: t.number })),
  status: t.union([t.literal('open'), t.literal('paid')]),
});

describe('decodeWith', () => {
  it('returns the decoded value', () => {
    const input = { id: 'o-1', items: [{ sku: 'a', quantity: 1 }], status: 'open' };
    expect(decodeWith(Order, input, 'order')._unsafeUnwrap()).toEqual(input);
  });

  it('names every failing path, not just the first', () => {
    const error = decodeWith(
      Order,
      { id: 7, items: [{ sku: 'a', quantity: 'two' }, { quantity: 1 }], status: 'shipped' },
      'command PlaceOrder',
    )._unsafeUnwrapErr();
    expect(error.kind).toBe('ValidationError');
    expect(error.subject).toBe('command PlaceOrder');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'id',
      'items.0.quantity',
      'items.1.sku',
      'status',
    ]);
    expect(error.issues[0]).toEqual({ path: 'id', expected: 'string', actual: '7' });
    expect(error.issues[2]?.actual).toBe('undefined');
    // The branches of a union are merged into one line for the path.
    expect(error.issues[3]?.expected).toBe('"open" | "paid"');
    expect(error.message).toContain('invalid command PlaceOrder: id: expected string, got 7');
    expect(error.message).toContain('items.1.sku: expected string, got undefined');
  });

  it('reports a wrong root type at the root path', () => {
    const error = decodeWith(Order, 'not an object', 'order')._unsafeUnwrapErr();
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('');
    expect(error.message).toContain('(root)');
  });

  it('keeps messages of custom codecs and shortens long values', () => {
    const Positive = new t.Type<number, number, unknown>(
      'Positive',
      (value): value is number => typeof value === 'number' && value > 0,
      (value, context) =>
        typeof value === 'number' && value > 0
          ? t.success(value)
          : t.failure(value, context, 'must be a positive number'),
      (value) => value,
    );
    const error = decodeWith(
      t.type({ quantity: Positive, note: t.number }),
      { quantity: -1, note: 'x'.repeat(200) },
      'input',
    )._unsafeUnwrapErr();
    expect(error.issues[0]?.message).toBe('must be a positive number');
    expect(error.message).toContain('quantity: must be a positive number');
    expect(error.issues[1]?.actual.length).toBeLessThan(70);
  });
});
