import * as t from 'io-ts';
import { ok } from 'neverthrow';
import { defineAggregate } from '../aggregate.js';
import { defineCommand } from '../command.js';
import { defineEvent } from '../event.js';

const Incremented = defineEvent('Incremented', t.type({ by: t.number }));
const Increment = defineCommand('Increment', t.type({ by: t.number }));

/**
 * The smallest useful aggregate, for adapter tests and benchmarks that need real commands
 * through the command handler: `Increment { by }` always decides `Incremented { by }`, and the
 * state is `{ count }`.
 *
 * @example
 * ```ts
 * const { Counter, Increment } = counterFixture;
 * const counters = createCommandHandler(Counter, { eventStore });
 * await counters.handle('counter-1', Increment.create({ by: 2 }));
 * ```
 */
export const counterFixture = {
  Incremented,
  Increment,
  Counter: defineAggregate({
    name: 'Counter',
    events: [Incremented],
    commands: [Increment],
    initialState: { count: 0 },
    stateCodec: t.type({ count: t.number }),
    evolve: (state, event) => ({ count: state.count + event.data.by }),
    decide: (command) => ok([Incremented.create({ by: command.data.by })]),
  }),
} as const;
