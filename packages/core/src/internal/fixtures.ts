// A small product domain shared by the core tests and specs. Not exported from the package.
import * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import { defineAggregate } from '../aggregate.js';
import { defineCommand } from '../command.js';
import { domainError } from '../errors.js';
import { defineEvent } from '../event.js';
import { defineUpcasters } from '../upcasting.js';

export const ProductCreated = defineEvent(
  'ProductCreated',
  t.type({ name: t.string, price: t.number, stock: t.number }),
);
/** v1 had `amount`; v2 renamed it to `price` and added `currency`. */
export const ProductPriced = defineEvent(
  'ProductPriced',
  t.type({ price: t.number, currency: t.keyof({ EUR: null, USD: null }) }),
  { schemaVersion: 2 },
);
export const StockReserved = defineEvent(
  'StockReserved',
  t.type({ quantity: t.number, reservationId: t.string }),
);

export const productPricedUpcasters = defineUpcasters(ProductPriced, {
  1: (data) => {
    const { amount, ...rest } = data as { amount: number };
    return { ...rest, price: amount, currency: 'EUR' };
  },
});

export const CreateProduct = defineCommand(
  'CreateProduct',
  t.type({ name: t.string, price: t.number, stock: t.number }),
);
export const SetPrice = defineCommand('SetPrice', t.type({ price: t.number }));
export const ReserveStock = defineCommand(
  'ReserveStock',
  t.type({ quantity: t.number, reservationId: t.string }),
);

export interface ProductState {
  readonly exists: boolean;
  readonly name: string;
  readonly price: number;
  readonly stock: number;
  readonly reservations: number;
}

export const productStateCodec = t.type({
  exists: t.boolean,
  name: t.string,
  price: t.number,
  stock: t.number,
  reservations: t.number,
});

export const Product = defineAggregate({
  name: 'Product',
  events: [ProductCreated, ProductPriced, StockReserved],
  commands: [CreateProduct, SetPrice, ReserveStock],
  upcasters: [productPricedUpcasters],
  initialState: { exists: false, name: '', price: 0, stock: 0, reservations: 0 } as ProductState,
  stateCodec: productStateCodec,
  stateVersion: 2,
  migrateState: (state, from) => (from === 1 ? { ...(state as object), reservations: 0 } : state),
  evolve: (state, event): ProductState => {
    switch (event.type) {
      case 'ProductCreated':
        return { ...state, exists: true, ...event.data };
      case 'ProductPriced':
        return { ...state, price: event.data.price };
      case 'StockReserved':
        return {
          ...state,
          stock: state.stock - event.data.quantity,
          reservations: state.reservations + 1,
        };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateProduct':
        return state.exists
          ? err(domainError('AlreadyExists', `product ${state.name} already exists`))
          : ok([ProductCreated.create(command.data)]);
      case 'SetPrice':
        if (!state.exists) return err(domainError('NotFound', 'no such product'));
        if (command.data.price === state.price) return ok([]);
        return ok([ProductPriced.create({ price: command.data.price, currency: 'EUR' })]);
      case 'ReserveStock':
        if (!state.exists) return err(domainError('NotFound', 'no such product'));
        if (command.data.quantity > state.stock) {
          return err(
            domainError('OutOfStock', `only ${state.stock} left`, {
              requested: command.data.quantity,
              available: state.stock,
            }),
          );
        }
        return ok([StockReserved.create(command.data)]);
    }
  },
});
