import type * as t from 'io-ts';
import type { Result } from 'neverthrow';
import type { AnyCommandType, Command, CommandsOf } from './command.js';
import type { DomainError } from './errors.js';
import type { AnyEventType, DomainEvent, EventsOf } from './event.js';
import { createEventRegistry, type EventRegistry } from './event-registry.js';
import type { EventUpcasters } from './upcasting.js';

/**
 * An aggregate written as a decider: `decide` turns a command and the current state into new
 * events (or a refusal), `evolve` folds events into state. Both must be pure.
 */
export interface Aggregate<
  State = unknown,
  E extends DomainEvent = DomainEvent,
  C extends Command = Command,
  Code extends string = string,
> {
  readonly name: string;
  readonly eventTypes: readonly AnyEventType[];
  readonly commandTypes: readonly AnyCommandType[];
  /** Encodes, upcasts and decodes this aggregate's events. */
  readonly registry: EventRegistry<E>;
  readonly initialState: State;
  evolve(state: State, event: E): State;
  decide(command: C, state: State): Result<readonly E[], DomainError<Code>>;
  /** Encodes the state for snapshots and decodes it on load. */
  readonly stateCodec: t.Type<State, unknown, unknown>;
  /** Bump when the state's shape changes; snapshots of other versions are migrated or refused. */
  readonly stateVersion: number;
  /** Turns the encoded state of an older `stateVersion` into the current encoded shape. */
  readonly migrateState?: (state: unknown, fromStateVersion: number) => unknown;
}

/** The definition {@link defineAggregate} takes. */
export interface AggregateDefinition<
  State,
  Events extends readonly AnyEventType[],
  Commands extends readonly AnyCommandType[],
  Code extends string,
> {
  readonly name: string;
  readonly events: Events;
  readonly commands: Commands;
  readonly upcasters?: readonly EventUpcasters[];
  readonly initialState: State;
  readonly evolve: (state: State, event: EventsOf<Events>) => State;
  readonly decide: (
    command: CommandsOf<Commands>,
    state: State,
  ) => Result<readonly EventsOf<Events>[], DomainError<Code>>;
  readonly stateCodec: t.Type<State, unknown, unknown>;
  readonly stateVersion?: number;
  readonly migrateState?: (state: unknown, fromStateVersion: number) => unknown;
}

/** The state type of an aggregate. */
export type StateOf<A> = A extends Aggregate<infer S, infer _E, infer _C, infer _Code> ? S : never;
/** The event union of an aggregate. */
export type AggregateEventOf<A> =
  A extends Aggregate<infer _S, infer E, infer _C, infer _Code> ? E : never;
/** The command union of an aggregate. */
export type AggregateCommandOf<A> =
  A extends Aggregate<infer _S, infer _E, infer C, infer _Code> ? C : never;

/**
 * Declares an aggregate as a decider. The event and command lists type `evolve` and `decide`:
 * switching on `event.type` narrows `event.data` to that event's exact data type.
 *
 * @example
 * ```ts
 * const Counter = defineAggregate({
 *   name: 'Counter',
 *   events: [Incremented],
 *   commands: [Increment],
 *   initialState: { count: 0 },
 *   stateCodec: t.type({ count: t.number }),
 *   evolve: (state, event) => ({ count: state.count + event.data.by }),
 *   decide: (command, state) =>
 *     state.count + command.data.by > 10
 *       ? err(domainError('LimitReached', 'a counter stops at 10'))
 *       : ok([Incremented.create({ by: command.data.by })]),
 * });
 * ```
 */
export const defineAggregate = <
  State,
  const Events extends readonly AnyEventType[],
  const Commands extends readonly AnyCommandType[],
  const Code extends string = string,
>(
  definition: AggregateDefinition<State, Events, Commands, Code>,
): Aggregate<State, EventsOf<Events>, CommandsOf<Commands>, Code> => {
  const stateVersion = definition.stateVersion ?? 1;
  if (!Number.isInteger(stateVersion) || stateVersion < 1) {
    throw new TypeError(`aggregate ${definition.name}: stateVersion must be a positive integer`);
  }
  const commandNames = new Set<string>();
  for (const commandType of definition.commands) {
    if (commandNames.has(commandType.type)) {
      throw new TypeError(`aggregate ${definition.name}: command ${commandType.type} listed twice`);
    }
    commandNames.add(commandType.type);
  }
  const registryOptions =
    definition.upcasters === undefined ? {} : { upcasters: definition.upcasters };
  const aggregate: Aggregate<State, EventsOf<Events>, CommandsOf<Commands>, Code> = {
    name: definition.name,
    eventTypes: definition.events,
    commandTypes: definition.commands,
    registry: createEventRegistry(definition.events, registryOptions),
    initialState: definition.initialState,
    evolve: definition.evolve,
    decide: definition.decide,
    stateCodec: definition.stateCodec,
    stateVersion,
  };
  return definition.migrateState === undefined
    ? aggregate
    : { ...aggregate, migrateState: definition.migrateState };
};
