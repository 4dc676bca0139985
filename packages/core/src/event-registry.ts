import { err, ok, type Result } from 'neverthrow';
import type { Commit } from './commit.js';
import { type StoreError, storeError } from './errors.js';
import type {
  AnyEventType,
  DomainEvent,
  EventEnvelope,
  EventsOf,
  RawEventEnvelope,
} from './event.js';
import type { EventUpcasters, UpcastStep } from './upcasting.js';

/** An event in its stored form: encoded data and the schema version it was written with. */
export interface EncodedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion: number;
}

/** What a registry does with a stored event whose type it does not know. */
export type UnknownEventPolicy = 'error' | 'skip';

/** Options of {@link createEventRegistry}. */
export interface EventRegistryOptions {
  readonly upcasters?: readonly EventUpcasters[];
  /** `error` (default): an unknown type is a `StoreError` with code `UnknownEventType`. */
  readonly onUnknownType?: UnknownEventPolicy;
}

/**
 * Knows a set of event types: encodes events for storage and turns stored envelopes back into
 * typed events (upcast, then decode). Every read path goes through one.
 */
export interface EventRegistry<E extends DomainEvent = DomainEvent> {
  readonly types: ReadonlyMap<string, AnyEventType>;
  /** Tells whether a type name belongs to this registry. */
  has(type: string): boolean;
  /** Encodes a domain event for storage with its type's codec and current schema version. */
  encode(event: E): EncodedEvent;
  /**
   * Upcasts and decodes one stored envelope. `ok(undefined)` means the type is unknown and the
   * policy is `skip`.
   */
  decode(envelope: RawEventEnvelope): Result<EventEnvelope<E> | undefined, StoreError>;
  /** Decodes every event of a list, stopping at the first failure. Skipped events are left out. */
  decodeAll(envelopes: readonly RawEventEnvelope[]): Result<EventEnvelope<E>[], StoreError>;
  /** Decodes the events of a commit. */
  decodeCommit(commit: Commit): Result<Commit<E>, StoreError>;
}

/**
 * Creates an {@link EventRegistry} for a list of event types and their upcasters.
 *
 * @example
 * ```ts
 * const registry = createEventRegistry([ProductCreated, ProductPriced], {
 *   upcasters: [productPricedUpcasters],
 * });
 * const decoded = registry.decode(storedEnvelope); // Result<EventEnvelope<...>, StoreError>
 * ```
 */
export const createEventRegistry = <const Types extends readonly AnyEventType[]>(
  eventTypes: Types,
  options: EventRegistryOptions = {},
): EventRegistry<EventsOf<Types>> => {
  type E = EventsOf<Types>;
  const types = new Map<string, AnyEventType>();
  for (const eventType of eventTypes) {
    const known = types.get(eventType.type);
    if (known !== undefined && known !== eventType) {
      throw new TypeError(`event type ${eventType.type} is registered twice`);
    }
    types.set(eventType.type, eventType);
  }
  const upcasters = new Map<string, ReadonlyMap<number, UpcastStep>>();
  for (const entry of options.upcasters ?? []) {
    const eventType = types.get(entry.type);
    if (eventType === undefined) {
      throw new TypeError(
        `upcasters given for ${entry.type}, which is not a registered event type`,
      );
    }
    if (entry.targetVersion !== eventType.schemaVersion) {
      throw new TypeError(
        `upcasters for ${entry.type} target v${entry.targetVersion}, but the event type is at v${eventType.schemaVersion}`,
      );
    }
    upcasters.set(entry.type, entry.steps);
  }
  const onUnknownType = options.onUnknownType ?? 'error';

  const upcast = (
    eventType: AnyEventType,
    envelope: RawEventEnvelope,
  ): Result<unknown, StoreError> => {
    const where = { streamId: envelope.streamId, version: envelope.version };
    if (envelope.schemaVersion > eventType.schemaVersion) {
      return err(
        storeError(
          'MissingUpcaster',
          `event ${envelope.type} at ${envelope.streamId}@${envelope.version} has schema v${envelope.schemaVersion}, newer than this code's v${eventType.schemaVersion}`,
          where,
        ),
      );
    }
    let data = envelope.data;
    const steps = upcasters.get(eventType.type);
    for (let from = envelope.schemaVersion; from < eventType.schemaVersion; from += 1) {
      const step = steps?.get(from);
      if (step === undefined) {
        return err(
          storeError(
            'MissingUpcaster',
            `event ${envelope.type} at ${envelope.streamId}@${envelope.version} has schema v${envelope.schemaVersion}, and no upcaster turns v${from} into v${from + 1}`,
            where,
          ),
        );
      }
      try {
        data = step(data, {
          type: envelope.type,
          streamId: envelope.streamId,
          version: envelope.version,
          metadata: envelope.metadata,
        });
      } catch (cause) {
        return err(
          storeError(
            'InvalidEvent',
            `upcasting ${envelope.type} v${from} at ${envelope.streamId}@${envelope.version} threw: ${String(cause)}`,
            { ...where, cause },
          ),
        );
      }
    }
    return ok(data);
  };

  const decode = (envelope: RawEventEnvelope): Result<EventEnvelope<E> | undefined, StoreError> => {
    const eventType = types.get(envelope.type);
    if (eventType === undefined) {
      if (onUnknownType === 'skip') return ok(undefined);
      return err(
        storeError(
          'UnknownEventType',
          `unknown event type "${envelope.type}" at ${envelope.streamId}@${envelope.version}; known types: ${[...types.keys()].join(', ')}`,
          { streamId: envelope.streamId, version: envelope.version },
        ),
      );
    }
    return upcast(eventType, envelope).andThen((data) =>
      eventType
        .decodeData(data)
        .mapErr((validation) =>
          storeError(
            'InvalidEvent',
            `${validation.message} (at ${envelope.streamId}@${envelope.version})`,
            { streamId: envelope.streamId, version: envelope.version, cause: validation },
          ),
        )
        .map(
          (decoded) =>
            ({
              ...envelope,
              data: decoded,
              schemaVersion: eventType.schemaVersion,
            }) as unknown as EventEnvelope<E>,
        ),
    );
  };

  const decodeAll = (
    envelopes: readonly RawEventEnvelope[],
  ): Result<EventEnvelope<E>[], StoreError> => {
    const decoded: EventEnvelope<E>[] = [];
    for (const envelope of envelopes) {
      const result = decode(envelope);
      if (result.isErr()) return err(result.error);
      if (result.value !== undefined) decoded.push(result.value);
    }
    return ok(decoded);
  };

  return {
    types,
    has: (type) => types.has(type),
    encode: (event) => {
      const eventType = types.get(event.type);
      if (eventType === undefined) {
        throw new TypeError(
          `cannot store event "${event.type}": it is not one of the registered event types`,
        );
      }
      return {
        type: event.type,
        data: eventType.encodeData(event.data),
        schemaVersion: eventType.schemaVersion,
      };
    },
    decode,
    decodeAll,
    decodeCommit: (commit) =>
      decodeAll(commit.events as readonly RawEventEnvelope[]).map((events) => ({
        ...commit,
        events,
      })),
  };
};
