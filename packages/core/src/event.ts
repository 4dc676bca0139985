import type * as t from 'io-ts';
import type { Result } from 'neverthrow';
import { decodeWith } from './decode.js';
import type { ValidationError } from './errors.js';

/** An event as a decider produces it: a type name and its data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * Metadata carried by every stored event. `correlationId` ties together everything one request
 * caused; `causationId` is the id of the message (command or event) that caused this one.
 */
export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly [field: string]: unknown;
}

/**
 * An event as it is stored and sent: the domain event plus its place in its stream.
 * `version` is the 1-based position in the stream; `eventId` is time-ordered and unique.
 */
export type EventEnvelope<E extends DomainEvent = DomainEvent> = E & {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  /** ISO-8601 timestamp of the commit that stored the event. */
  readonly occurredAt: string;
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
};

/** A stored event whose data has not been upcast or decoded yet. */
export type RawEventEnvelope = EventEnvelope<DomainEvent<string, unknown>>;

/** Schema version every event type starts at. */
export const INITIAL_SCHEMA_VERSION = 1;

/**
 * An event type: its name, the io-ts codec of its data and its current schema version. Older
 * schema versions are turned into the current one by upcasters before decoding.
 */
export interface EventType<Type extends string = string, Data = unknown, Encoded = unknown> {
  readonly type: Type;
  readonly codec: t.Type<Data, Encoded, unknown>;
  readonly schemaVersion: number;
  /** Creates an event of this type. */
  create(data: Data): DomainEvent<Type, Data>;
  /** Tells whether an event (domain event or envelope) is of this type. */
  is<E extends DomainEvent>(event: E): event is Extract<E, DomainEvent<Type, Data>>;
  /** Decodes the data of the current schema version; a failure names every failing path. */
  decodeData(data: unknown): Result<Data, ValidationError>;
  /** Encodes data for storage with the codec's `encode`. */
  encodeData(data: Data): Encoded;
}

/** Any event type, whatever its data; the constraint for lists of event types. */
// biome-ignore lint/suspicious/noExplicitAny: a codec is invariant in its data type, so only `any` admits every event type
export type AnyEventType = EventType<string, any, any>;

/** The domain event produced by an event type. */
export type EventOf<T> =
  T extends EventType<infer Type, infer Data, infer _Encoded> ? DomainEvent<Type, Data> : never;

/** The union of domain events produced by a list of event types. */
export type EventsOf<Types extends readonly AnyEventType[]> = EventOf<Types[number]>;

/** Options of {@link defineEvent}. */
export interface DefineEventOptions {
  /** The current schema version of this event's data (default 1). */
  readonly schemaVersion?: number;
}

/**
 * Declares an event type.
 *
 * @example
 * ```ts
 * const ProductPriced = defineEvent('ProductPriced', t.type({ price: t.number }));
 * const event = ProductPriced.create({ price: 120 });
 * ProductPriced.is(event); // true; event.data.price is a number
 * ```
 */
export const defineEvent = <const Type extends string, Data, Encoded = Data>(
  type: Type,
  codec: t.Type<Data, Encoded, unknown>,
  options: DefineEventOptions = {},
): EventType<Type, Data, Encoded> => {
  const schemaVersion = options.schemaVersion ?? INITIAL_SCHEMA_VERSION;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new TypeError(`event ${type}: schemaVersion must be a positive integer`);
  }
  const subject = `event ${type} v${schemaVersion}`;
  return {
    type,
    codec,
    schemaVersion,
    create: (data) => ({ type, data }),
    is: <E extends DomainEvent>(event: E): event is Extract<E, DomainEvent<Type, Data>> =>
      event.type === type,
    decodeData: (data) => decodeWith(codec, data, subject),
    encodeData: (data) => codec.encode(data),
  };
};
