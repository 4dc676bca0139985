import type { AnyEventType, DomainEvent, EventEnvelope, EventsOf } from './event.js';
import { createEventRegistry, type EventRegistry } from './event-registry.js';
import type { EventUpcasters } from './upcasting.js';

/** Handles one event type: sees the event with its exact data type and the runner's context. */
export type ProjectionHandler<E extends DomainEvent, Ctx> = (
  event: EventEnvelope<E>,
  context: Ctx,
) => Promise<void> | void;

/** One handler per event type the projection lists; each sees its own event's data type. */
export type ProjectionHandlers<E extends DomainEvent, Ctx> = {
  readonly [Type in E['type']]: ProjectionHandler<Extract<E, { readonly type: Type }>, Ctx>;
};

/** A read model fed by events. */
export interface Projection<E extends DomainEvent = DomainEvent, Ctx = unknown> {
  /** Unique name; positions are kept per (name, stream). Bump `version` to rebuild. */
  readonly name: string;
  /** Rebuilding writes a new version next to the old one (see the Kysely projector). */
  readonly version: number;
  /** Decodes (upcasts) the events it handles; other types are ignored. */
  readonly registry: EventRegistry<E>;
  readonly handlers: ProjectionHandlers<E, Ctx>;
  /** Tells whether the projection handles an event type. */
  handles(type: string): boolean;
}

/** The definition {@link defineProjection} takes. */
export interface ProjectionDefinition<Events extends readonly AnyEventType[], Ctx> {
  readonly name: string;
  readonly version?: number;
  readonly events: Events;
  readonly upcasters?: readonly EventUpcasters[];
  readonly handlers: ProjectionHandlers<EventsOf<Events>, Ctx>;
}

/**
 * Declares a projection: the event types it handles and a handler for each. `Ctx` is what the
 * runner hands every handler (a Kysely transaction, an in-memory map); name it with
 * {@link projectionWithContext} when handlers need it typed.
 *
 * @example
 * ```ts
 * const stockLevels = new Map<string, number>();
 * const stock = defineProjection({
 *   name: 'stock',
 *   events: [ProductCreated, StockReserved],
 *   handlers: {
 *     ProductCreated: (event) => stockLevels.set(event.streamId, event.data.stock),
 *     StockReserved: (event) => {
 *       stockLevels.set(event.streamId, (stockLevels.get(event.streamId) ?? 0) - event.data.quantity);
 *     },
 *   },
 * });
 * ```
 */
export const defineProjection = <const Events extends readonly AnyEventType[], Ctx = unknown>(
  definition: ProjectionDefinition<Events, Ctx>,
): Projection<EventsOf<Events>, Ctx> => {
  const registry = createEventRegistry(definition.events, {
    onUnknownType: 'skip',
    ...(definition.upcasters === undefined ? {} : { upcasters: definition.upcasters }),
  });
  const version = definition.version ?? 1;
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`projection ${definition.name}: version must be a positive integer`);
  }
  return {
    name: definition.name,
    version,
    registry,
    handlers: definition.handlers,
    handles: (type) => registry.has(type),
  };
};

/**
 * Fixes the context type of projections, so that handlers see it typed without annotations.
 *
 * @example
 * ```ts
 * const defineShopProjection = projectionWithContext<Transaction<ShopDatabase>>();
 * const products = defineShopProjection({
 *   name: 'products',
 *   events: [ProductCreated],
 *   handlers: { ProductCreated: (event, trx) => trx.insertInto('products').values(...).execute() },
 * });
 * ```
 */
export const projectionWithContext =
  <Ctx>() =>
  <const Events extends readonly AnyEventType[]>(
    definition: ProjectionDefinition<Events, Ctx>,
  ): Projection<EventsOf<Events>, Ctx> =>
    defineProjection<Events, Ctx>(definition);
