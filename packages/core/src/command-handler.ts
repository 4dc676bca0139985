import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Aggregate } from './aggregate.js';
import type { Command } from './command.js';
import type { AppliedCommand, Commit } from './commit.js';
import { decodeWith, validationError } from './decode.js';
import {
  type CommandHandlerError,
  type ConcurrencyError,
  concurrencyError,
  type DomainError,
  type ValidationError,
} from './errors.js';
import type { DomainEvent, EventEnvelope, EventMetadata } from './event.js';
import { newEventId } from './event-id.js';
import type { EventStore, NewEvent } from './event-store.js';
import { type ExpectedVersion, matchesExpectedVersion } from './expected-version.js';
import { rehydrate } from './load-aggregate.js';
import { type SnapshotPolicy, snapshotEveryCommit } from './snapshot-policy.js';

/** How the command handler retries after a version conflict. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 10). 1 disables retries. */
  readonly maxAttempts?: number;
  /** The backoff cap of the first retry, in ms (default 5); it doubles each retry. */
  readonly initialDelayMs?: number;
  /** The largest backoff cap, in ms (default 250). */
  readonly maxDelayMs?: number;
}

/** Options of {@link createCommandHandler}. */
export interface CommandHandlerOptions {
  readonly eventStore: EventStore;
  readonly retry?: RetryOptions;
  /** When to store a snapshot with a commit (default: {@link snapshotEveryCommit}). */
  readonly snapshotPolicy?: SnapshotPolicy;
  /** Source of randomness for jitter, in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** Waits between retries (default `setTimeout`); tests may pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Per-command options: idempotency, tracing, and an optional expected version from the caller. */
export interface HandleOptions {
  /**
   * Makes the command idempotent per stream: a command id the stream has already applied returns
   * the earlier result (`duplicate: true`) and appends nothing.
   */
  readonly commandId?: string;
  /** Ties together everything one request caused (default: the command id, or a new id). */
  readonly correlationId?: string;
  /** The id of the message that caused this command (default: the command id). */
  readonly causationId?: string;
  /** User fields added to every event's metadata. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * The version the caller saw (an HTTP `If-Match`). When given, a mismatch is returned as a
   * `ConcurrencyError` at once, without retries: the caller decided on stale state.
   */
  readonly expectedVersion?: ExpectedVersion;
}

/** What a handled command did. */
export type CommandResult<State, E extends DomainEvent> =
  | {
      readonly duplicate: false;
      readonly streamId: string;
      /** The stream version after the command. */
      readonly version: number;
      /** The appended events (empty when the decider decided nothing). */
      readonly events: readonly EventEnvelope<E>[];
      /** The state after the command. */
      readonly state: State;
      /** How many attempts it took (1 when there was no conflict). */
      readonly attempts: number;
    }
  | {
      readonly duplicate: true;
      readonly streamId: string;
      /** The stream version after the earlier run of this command. */
      readonly version: number;
      /** What the earlier run appended. */
      readonly applied: AppliedCommand;
      readonly attempts: number;
    };

/** Handles commands for one aggregate type. */
export interface CommandHandler<
  State,
  E extends DomainEvent,
  C extends Command,
  Code extends string,
> {
  /** Decides a typed command against the stream's current state and appends the result. */
  handle(
    streamId: string,
    command: C,
    options?: HandleOptions,
  ): ResultAsync<CommandResult<State, E>, CommandHandlerError<Code>>;
  /**
   * Decodes untrusted input `{ type, data }` (an HTTP body, a message) against the aggregate's
   * command types, then handles it. Bad input is a `ValidationError` naming every failing path.
   */
  handleInput(
    streamId: string,
    input: unknown,
    options?: HandleOptions,
  ): ResultAsync<CommandResult<State, E>, CommandHandlerError<Code>>;
}

const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_INITIAL_DELAY_MS = 5;
const DEFAULT_MAX_DELAY_MS = 250;

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Creates the command handler of an aggregate: decode → load → decide → append with the loaded
 * version as the expected one. On a version conflict it reloads and decides again, after a
 * jittered exponential backoff ("full jitter"), up to `retry.maxAttempts`. Every failure is a
 * value: `ValidationError | DomainError | ConcurrencyError | StoreError`.
 *
 * @example
 * ```ts
 * const products = createCommandHandler(Product, { eventStore });
 * const result = await products.handle('product-1', SetPrice.create({ price: 10 }), {
 *   commandId: request.idempotencyKey,
 * });
 * result.match(
 *   (ok) => console.log('now at version', ok.version),
 *   (error) => console.error(error.kind, error.message),
 * );
 * ```
 */
export const createCommandHandler = <
  State,
  E extends DomainEvent,
  C extends Command,
  Code extends string,
>(
  aggregate: Aggregate<State, E, C, Code>,
  options: CommandHandlerOptions,
): CommandHandler<State, E, C, Code> => {
  const { eventStore } = options;
  const maxAttempts = options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const initialDelayMs = options.retry?.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const snapshotPolicy = options.snapshotPolicy ?? snapshotEveryCommit();
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const commandTypes = new Map(aggregate.commandTypes.map((type) => [type.type, type]));

  const backoff = (attempt: number) =>
    Math.floor(random() * Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1)));

  const duplicateResult = (applied: AppliedCommand, attempts: number): CommandResult<State, E> => ({
    duplicate: true,
    streamId: applied.streamId,
    version: applied.toVersion,
    applied,
    attempts,
  });

  const buildEvents = (
    decided: readonly E[],
    handleOptions: HandleOptions,
  ): { events: NewEvent[]; metadata: EventMetadata } => {
    const { commandId } = handleOptions;
    const correlationId = handleOptions.correlationId ?? commandId ?? newEventId();
    const causationId = handleOptions.causationId ?? commandId;
    const metadata: EventMetadata = {
      ...handleOptions.metadata,
      correlationId,
      ...(causationId === undefined ? {} : { causationId }),
      ...(commandId === undefined ? {} : { commandId }),
    };
    const events = decided.map((event) => ({
      ...aggregate.registry.encode(event),
      eventId: newEventId(),
    }));
    return { events, metadata };
  };

  const typedEnvelopes = (commit: Commit, decided: readonly E[]): EventEnvelope<E>[] =>
    commit.events.map(
      (envelope, index) => ({ ...envelope, data: decided[index]?.data }) as EventEnvelope<E>,
    );

  const attempt = async (
    streamId: string,
    command: C,
    handleOptions: HandleOptions,
    attemptNumber: number,
  ): Promise<
    | Result<CommandResult<State, E>, CommandHandlerError<Code>>
    | { readonly conflict: ConcurrencyError }
  > => {
    const loadOptions =
      handleOptions.commandId === undefined ? {} : { commandId: handleOptions.commandId };
    const loaded = await eventStore.load(streamId, loadOptions);
    if (loaded.isErr()) return err(loaded.error);
    if (loaded.value.appliedCommand !== undefined) {
      return ok(duplicateResult(loaded.value.appliedCommand, attemptNumber));
    }
    const current = rehydrate(aggregate, loaded.value);
    if (current.isErr()) return err(current.error);
    const { state, version, snapshotVersion } = current.value;

    const expected = handleOptions.expectedVersion;
    if (expected !== undefined && !matchesExpectedVersion(expected, version)) {
      return err(
        concurrencyError({
          streamId,
          expectedVersion: expected,
          actualVersion: version,
          attempts: attemptNumber,
        }),
      );
    }

    const decision = aggregate.decide(command, state);
    if (decision.isErr()) return err(decision.error as DomainError<Code>);
    const decided = decision.value;
    if (decided.length === 0) {
      return ok({
        duplicate: false,
        streamId,
        version,
        events: [],
        state,
        attempts: attemptNumber,
      });
    }

    let next = state;
    for (const event of decided) next = aggregate.evolve(next, event);
    const nextVersion = version + decided.length;
    const snapshot = snapshotPolicy({
      streamId,
      snapshotVersion,
      version: nextVersion,
      newEvents: decided.length,
    })
      ? { state: aggregate.stateCodec.encode(next), stateVersion: aggregate.stateVersion }
      : undefined;

    const { events, metadata } = buildEvents(decided, handleOptions);
    const appended = await eventStore.append(streamId, version, events, {
      metadata,
      ...(handleOptions.commandId === undefined ? {} : { commandId: handleOptions.commandId }),
      ...(snapshot === undefined ? {} : { snapshot }),
    });
    if (appended.isErr()) {
      const error = appended.error;
      if (error.kind === 'ConcurrencyError' && expected === undefined) return { conflict: error };
      return err(error.kind === 'ConcurrencyError' ? { ...error, attempts: attemptNumber } : error);
    }
    if (appended.value.duplicate) return ok(duplicateResult(appended.value.applied, attemptNumber));
    return ok({
      duplicate: false,
      streamId,
      version: appended.value.commit.toVersion,
      events: typedEnvelopes(appended.value.commit, decided),
      state: next,
      attempts: attemptNumber,
    });
  };

  const run = async (
    streamId: string,
    command: C,
    handleOptions: HandleOptions,
  ): Promise<Result<CommandResult<State, E>, CommandHandlerError<Code>>> => {
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      const outcome = await attempt(streamId, command, handleOptions, attemptNumber);
      if (!('conflict' in outcome)) return outcome;
      if (attemptNumber >= maxAttempts) {
        return err({
          ...outcome.conflict,
          attempts: attemptNumber,
          message: `${outcome.conflict.message}; gave up after ${attemptNumber} attempts`,
        });
      }
      await sleep(backoff(attemptNumber));
    }
  };

  const handle = (streamId: string, command: C, handleOptions: HandleOptions = {}) =>
    new ResultAsync(run(streamId, command, handleOptions));

  const decodeInput = (input: unknown): Result<C, ValidationError> => {
    if (typeof input !== 'object' || input === null || !('type' in input)) {
      return err(
        validationError(`command for ${aggregate.name}`, [
          { path: 'type', expected: [...commandTypes.keys()].join(' | '), actual: 'undefined' },
        ]),
      );
    }
    const type = String(input.type);
    const commandType = commandTypes.get(type);
    if (commandType === undefined) {
      return err(
        validationError(`command for ${aggregate.name}`, [
          {
            path: 'type',
            expected: [...commandTypes.keys()].join(' | '),
            actual: JSON.stringify(type),
          },
        ]),
      );
    }
    const data = 'data' in input ? input.data : undefined;
    return decodeWith(commandType.codec, data, `command ${type}`).map(
      (decoded) => ({ type, data: decoded }) as unknown as C,
    );
  };

  return {
    handle,
    handleInput: (streamId, input, handleOptions = {}) =>
      decodeInput(input).asyncAndThen((command) => handle(streamId, command, handleOptions)),
  };
};
