import type { AnyEventType } from './event.js';

/** Turns the data of schema version `n` into the data of version `n + 1`. */
export type UpcastStep = (data: unknown, context: UpcastContext) => unknown;

/** What an upcast step may look at besides the data. */
export interface UpcastContext {
  readonly type: string;
  readonly streamId: string;
  readonly version: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The upcast steps of one event type, keyed by the schema version they upgrade from. */
export interface EventUpcasters {
  readonly type: string;
  readonly targetVersion: number;
  readonly steps: ReadonlyMap<number, UpcastStep>;
}

/**
 * Declares how stored data of older schema versions of an event type becomes the current one:
 * `steps[n]` turns version `n` into `n + 1`. Upcasters run on every read path (load, consumers,
 * archive replay) before the event's codec decodes the data.
 *
 * @example
 * ```ts
 * const ProductPriced = defineEvent('ProductPriced', PricedV3, { schemaVersion: 3 });
 * const productPricedUpcasters = defineUpcasters(ProductPriced, {
 *   1: (data) => ({ ...(data as object), currency: 'EUR' }), // v1 -> v2
 *   2: (data) => renameField(data, 'amount', 'price'),         // v2 -> v3
 * });
 * ```
 */
export const defineUpcasters = (
  eventType: AnyEventType,
  steps: Readonly<Record<number, UpcastStep>>,
): EventUpcasters => {
  const map = new Map<number, UpcastStep>();
  for (const [key, step] of Object.entries(steps)) {
    const from = Number(key);
    if (!Number.isInteger(from) || from < 1 || from >= eventType.schemaVersion) {
      throw new RangeError(
        `upcaster for ${eventType.type}: step ${key} must upgrade a version between 1 and ${eventType.schemaVersion - 1}`,
      );
    }
    map.set(from, step);
  }
  return { type: eventType.type, targetVersion: eventType.schemaVersion, steps: map };
};
