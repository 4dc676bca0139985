import {
  defineAggregate,
  defineCommand,
  defineEvent,
  defineProjection,
  domainError,
} from '@tributary/core';
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';

export const ItemAdded = defineEvent(
  'ItemAdded',
  t.type({ sku: t.string, quantity: t.number, unitPrice: t.number }),
);
export const CartCheckedOut = defineEvent('CartCheckedOut', t.type({ total: t.number }));

export const AddItem = defineCommand(
  'AddItem',
  t.type({ sku: t.string, quantity: t.number, unitPrice: t.number }),
);
export const CheckOut = defineCommand('CheckOut', t.type({}));

const CartState = t.type({
  items: t.record(t.string, t.number),
  total: t.number,
  checkedOut: t.boolean,
});

const MAX_ITEMS = 10;

/** A shopping cart as a decider: at most 10 items, nothing changes after checkout. */
export const Cart = defineAggregate({
  name: 'Cart',
  events: [ItemAdded, CartCheckedOut],
  commands: [AddItem, CheckOut],
  initialState: { items: {}, total: 0, checkedOut: false } as t.TypeOf<typeof CartState>,
  stateCodec: CartState,
  evolve: (state, event) => {
    switch (event.type) {
      case 'ItemAdded':
        return {
          ...state,
          items: {
            ...state.items,
            [event.data.sku]: (state.items[event.data.sku] ?? 0) + event.data.quantity,
          },
          total: state.total + event.data.quantity * event.data.unitPrice,
        };
      case 'CartCheckedOut':
        return { ...state, checkedOut: true };
    }
  },
  decide: (command, state) => {
    if (state.checkedOut) return err(domainError('CartClosed', 'the cart is already checked out'));
    switch (command.type) {
      case 'AddItem': {
        const count = Object.values(state.items).reduce((sum, quantity) => sum + quantity, 0);
        if (command.data.quantity < 1)
          return err(domainError('InvalidQuantity', 'add at least one item'));
        if (count + command.data.quantity > MAX_ITEMS) {
          return err(domainError('CartFull', `a cart holds at most ${MAX_ITEMS} items`, { count }));
        }
        return ok([ItemAdded.create(command.data)]);
      }
      case 'CheckOut':
        if (state.total === 0) return err(domainError('EmptyCart', 'nothing to check out'));
        return ok([CartCheckedOut.create({ total: state.total })]);
    }
  },
});

/** Revenue per SKU, counted when a cart's items are added. */
export const salesBySku = (sales: Map<string, number>) =>
  defineProjection({
    name: 'sales-by-sku',
    events: [ItemAdded],
    handlers: {
      ItemAdded: (event) => {
        sales.set(
          event.data.sku,
          (sales.get(event.data.sku) ?? 0) + event.data.quantity * event.data.unitPrice,
        );
      },
    },
  });
