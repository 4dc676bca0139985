import { ok as assertOk, deepStrictEqual, fail } from 'node:assert/strict';
import type { Aggregate } from '../aggregate.js';
import type { Command } from '../command.js';
import type { DomainError } from '../errors.js';
import type { DomainEvent } from '../event.js';

/** The last step of a decider spec: what deciding the command must give. */
export interface DeciderThen<State, E extends DomainEvent, Code extends string> {
  /** The decider must decide exactly these events (type and data, in order). */
  then(expected: readonly E[]): void;
  /** The decider must decide no events. */
  thenNothing(): void;
  /** The state after the decided events must deep-equal `expected`. */
  thenState(expected: State): void;
  /** The decider must refuse with this domain error code (and, if given, pass `check`). */
  thenFails(code: Code, check?: (error: DomainError<Code>) => void): void;
}

/** A decider spec after `given`. */
export interface DeciderWhen<State, E extends DomainEvent, C extends Command, Code extends string> {
  when(command: C): DeciderThen<State, E, Code>;
}

/** Given/when/then specs for a decider. */
export interface DeciderSpec<State, E extends DomainEvent, C extends Command, Code extends string> {
  /** The events that happened before (empty for a new aggregate). */
  given(events: readonly E[]): DeciderWhen<State, E, C, Code>;
}

const strip = (events: readonly DomainEvent[]) =>
  events.map((event) => ({ type: event.type, data: event.data }));

/**
 * Given/when/then tests for an aggregate's decider, with no store involved. Assertions throw
 * `AssertionError`, so they work in any test runner.
 *
 * @example
 * ```ts
 * const spec = deciderSpec(Product);
 * it('refuses to reserve more than the stock', () =>
 *   spec
 *     .given([ProductCreated.create({ name: 'Mug', price: 10, stock: 1 })])
 *     .when(ReserveStock.create({ quantity: 2, reservationId: 'r-1' }))
 *     .thenFails('OutOfStock'));
 * ```
 */
export const deciderSpec = <State, E extends DomainEvent, C extends Command, Code extends string>(
  aggregate: Aggregate<State, E, C, Code>,
): DeciderSpec<State, E, C, Code> => ({
  given: (history) => ({
    when: (command) => {
      const before = history.reduce(aggregate.evolve, aggregate.initialState);
      const decision = aggregate.decide(command, before);
      const decided = (): readonly E[] => {
        if (decision.isErr()) {
          fail(
            `expected ${command.type} to be accepted, but it failed with ${decision.error.code}: ${decision.error.message}`,
          );
        }
        return decision.value;
      };
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; the step is not meant to be awaited
        then: (expected) => deepStrictEqual(strip(decided()), strip(expected)),
        thenNothing: () => deepStrictEqual(strip(decided()), []),
        thenState: (expected) =>
          deepStrictEqual(decided().reduce(aggregate.evolve, before), expected),
        thenFails: (code, check) => {
          if (decision.isOk()) {
            fail(
              `expected ${command.type} to fail with ${code}, but it decided ${JSON.stringify(strip(decision.value))}`,
            );
          }
          assertOk(decision.error.kind === 'DomainError', 'expected a DomainError');
          deepStrictEqual(decision.error.code, code);
          check?.(decision.error);
        },
      };
    },
  }),
});
