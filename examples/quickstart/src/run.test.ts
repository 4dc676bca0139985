import { deciderSpec } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { AddItem, Cart, CartCheckedOut, CheckOut, ItemAdded } from './cart.js';
import { runQuickstart } from './run.js';

describe('quickstart', () => {
  it('every scripted step behaves', async () => {
    const { steps } = await runQuickstart();
    expect(steps.filter((step) => !step.asExpected)).toEqual([]);
    expect(steps).toHaveLength(6);
  });

  it('the cart decider refuses a checkout twice', () => {
    const spec = deciderSpec(Cart);
    const mug = ItemAdded.create({ sku: 'mug', quantity: 1, unitPrice: 5 });
    spec
      .given([mug])
      .when(CheckOut.create({}))
      .then([CartCheckedOut.create({ total: 5 })]);
    spec
      .given([mug, CartCheckedOut.create({ total: 5 })])
      .when(AddItem.create({ sku: 'x', quantity: 1, unitPrice: 1 }))
      .thenFails('CartClosed');
  });
});
