import * as t from 'io-ts';
import { err, ok } from 'neverthrow';
import { describe, expectTypeOf, it } from 'vitest';
import { defineAggregate } from './aggregate.js';
import { defineCommand } from './command.js';
import { createCommandHandler } from './command-handler.js';
import {
  type CommandHandlerError,
  type ConcurrencyError,
  type DomainError,
  domainError,
  type StoreError,
  type ValidationError,
} from './errors.js';
import { type DomainEvent, defineEvent, type EventEnvelope } from './event.js';
import { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
import { defineProjection, projectionWithContext } from './projection.js';

const Opened = defineEvent('Opened', t.type({ owner: t.string }));
const Deposited = defineEvent('Deposited', t.type({ amount: t.number }));
const Deposit = defineCommand('Deposit', t.type({ amount: t.number }));
const Open = defineCommand('Open', t.type({ owner: t.string }));

const Account = defineAggregate({
  name: 'Account',
  events: [Opened, Deposited],
  commands: [Open, Deposit],
  initialState: { open: false, balance: 0 },
  stateCodec: t.type({ open: t.boolean, balance: t.number }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'Opened':
        expectTypeOf(event.data).toEqualTypeOf<{ owner: string }>();
        return { ...state, open: true };
      case 'Deposited':
        expectTypeOf(event.data).toEqualTypeOf<{ amount: number }>();
        return { ...state, balance: state.balance + event.data.amount };
    }
  },
  decide: (command, state) => {
    if (command.type === 'Deposit') {
      expectTypeOf(command.data).toEqualTypeOf<{ amount: number }>();
      return state.open
        ? ok([Deposited.create(command.data)])
        : err(domainError('Closed', 'closed'));
    }
    expectTypeOf(command.data).toEqualTypeOf<{ owner: string }>();
    return state.open ? err(domainError('AlreadyOpen', 'open')) : ok([Opened.create(command.data)]);
  },
});

describe('type inference', () => {
  it('gives each event its exact data type', () => {
    const event = Deposited.create({ amount: 1 });
    expectTypeOf(event).toEqualTypeOf<DomainEvent<'Deposited', { amount: number }>>();
    // @ts-expect-error: the data does not match the codec's type
    Deposited.create({ amount: '1' });
    const any:
      | DomainEvent<'Opened', { owner: string }>
      | DomainEvent<'Deposited', { amount: number }> = event;
    if (Deposited.is(any)) expectTypeOf(any.data).toEqualTypeOf<{ amount: number }>();
  });

  it('gives projection handlers the exact event and context types', () => {
    defineProjection({
      name: 'balances',
      events: [Opened, Deposited],
      handlers: {
        Opened: (event) => {
          expectTypeOf(event).toEqualTypeOf<
            EventEnvelope<DomainEvent<'Opened', { owner: string }>>
          >();
        },
        Deposited: (event) => {
          expectTypeOf(event.data.amount).toEqualTypeOf<number>();
          expectTypeOf(event.version).toEqualTypeOf<number>();
        },
      },
    });
    const withDb = projectionWithContext<{ db: 'trx' }>();
    withDb({
      name: 'typed',
      events: [Deposited],
      handlers: {
        Deposited: (_event, context) => {
          expectTypeOf(context).toEqualTypeOf<{ db: 'trx' }>();
        },
      },
    });
    defineProjection({
      name: 'missing-handler',
      events: [Opened, Deposited],
      // @ts-expect-error: every listed event type needs a handler
      handlers: { Opened: () => {} },
    });
  });

  it('makes the command handler error union exhaustive, with the domain codes', async () => {
    const handler = createCommandHandler(Account, { eventStore: new InMemoryEventStore() });
    const result = await handler.handle('a-1', Deposit.create({ amount: 3 }));
    // @ts-expect-error: a command of another aggregate is refused
    handler.handle('a-1', defineCommand('Other', t.type({})).create({}));
    if (result.isErr()) {
      const error = result.error;
      expectTypeOf(error).toEqualTypeOf<CommandHandlerError<'Closed' | 'AlreadyOpen'>>();
      const render = (): string => {
        switch (error.kind) {
          case 'ValidationError':
            expectTypeOf(error).toEqualTypeOf<ValidationError>();
            return error.issues.map((issue) => issue.path).join();
          case 'DomainError':
            expectTypeOf(error).toEqualTypeOf<DomainError<'Closed' | 'AlreadyOpen'>>();
            return error.code;
          case 'ConcurrencyError':
            expectTypeOf(error).toEqualTypeOf<ConcurrencyError>();
            return error.streamId;
          case 'StoreError':
            expectTypeOf(error).toEqualTypeOf<StoreError>();
            return error.code;
          default: {
            // Exhaustive: no other kind exists.
            expectTypeOf(error).toBeNever();
            return error;
          }
        }
      };
      render();
    } else if (!result.value.duplicate) {
      expectTypeOf(result.value.state).toEqualTypeOf<{ open: boolean; balance: number }>();
    }
  });
});
