import {
  createCommandHandler,
  createProjectionRunner,
  InMemoryEventLog,
  InMemoryEventStore,
  InMemoryProjectionStore,
} from '@tributary/core';
import { AddItem, Cart, CheckOut, salesBySku } from './cart.js';

/** One step of the scripted run: what was done, what happened, and whether that was expected. */
export interface Step {
  readonly action: string;
  readonly outcome: string;
  readonly asExpected: boolean;
}

/**
 * Runs a scripted cart session against the in-memory adapters: commands, a refusal, an
 * idempotent retry, an invalid HTTP-like body, and a projection fed by the commit log.
 */
export const runQuickstart = async (): Promise<{ steps: Step[]; sales: Map<string, number> }> => {
  const log = new InMemoryEventLog();
  const eventStore = new InMemoryEventStore({ log });
  const carts = createCommandHandler(Cart, { eventStore });
  const sales = new Map<string, number>();
  const runner = createProjectionRunner({
    projections: [salesBySku(sales)],
    store: new InMemoryProjectionStore(),
    context: undefined,
  });
  const subscription = log.subscribe(async (batch) => {
    const result = await runner.handle(batch.map((entry) => entry.commit));
    if (result.isErr()) throw new Error(result.error.message);
  });

  const steps: Step[] = [];
  const record = (action: string, outcome: string, asExpected: boolean) => {
    steps.push({ action, outcome, asExpected });
  };

  const added = await carts.handle(
    'cart-1',
    AddItem.create({ sku: 'mug', quantity: 2, unitPrice: 12 }),
    {
      commandId: 'add-mugs',
    },
  );
  record(
    'add 2 mugs',
    added.isOk() ? `cart at version ${added.value.version}` : added.error.message,
    added.isOk(),
  );

  const retried = await carts.handle(
    'cart-1',
    AddItem.create({ sku: 'mug', quantity: 2, unitPrice: 12 }),
    {
      commandId: 'add-mugs',
    },
  );
  record(
    'retry "add 2 mugs" with the same command id',
    retried.isOk() && retried.value.duplicate
      ? 'recognised as a duplicate, nothing appended'
      : 'applied twice',
    retried.isOk() && retried.value.duplicate,
  );

  const tooMany = await carts.handle(
    'cart-1',
    AddItem.create({ sku: 'spoon', quantity: 9, unitPrice: 1 }),
  );
  record(
    'add 9 spoons',
    tooMany.isErr() ? `${tooMany.error.kind}: ${tooMany.error.message}` : 'accepted',
    tooMany.isErr() && tooMany.error.kind === 'DomainError' && tooMany.error.code === 'CartFull',
  );

  const badBody = await carts.handleInput('cart-1', {
    type: 'AddItem',
    data: { sku: 42, quantity: 'one' },
  });
  record(
    'send an invalid body',
    badBody.isErr() ? `${badBody.error.kind}: ${badBody.error.message}` : 'accepted',
    badBody.isErr() &&
      badBody.error.kind === 'ValidationError' &&
      badBody.error.issues.length === 3,
  );

  await carts.handle('cart-2', AddItem.create({ sku: 'mug', quantity: 1, unitPrice: 12 }));
  await carts.handle('cart-2', AddItem.create({ sku: 'teapot', quantity: 1, unitPrice: 30 }));
  const checkout = await carts.handle('cart-2', CheckOut.create({}));
  record(
    'check out cart-2',
    checkout.isOk() && !checkout.value.duplicate ? `total ${checkout.value.state.total}` : 'failed',
    checkout.isOk() && !checkout.value.duplicate && checkout.value.state.total === 42,
  );

  await subscription.caughtUp();
  subscription.unsubscribe();
  record(
    'project sales by SKU from the commit log',
    JSON.stringify(Object.fromEntries(sales)),
    sales.get('mug') === 36 && sales.get('teapot') === 30 && sales.size === 2,
  );
  return { steps, sales };
};
