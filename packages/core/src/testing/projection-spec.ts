import { deepStrictEqual, fail } from 'node:assert/strict';
import type { Commit } from '../commit.js';
import type { ProjectionFailureCode } from '../errors.js';
import type { DomainEvent } from '../event.js';
import { InMemoryProjectionStore } from '../in-memory/in-memory-projection-store.js';
import type { Projection } from '../projection.js';
import { createProjectionRunner, type ProjectionBatchReport } from '../projection-runner.js';

/** An event fed to a projection spec; `streamId` defaults to the spec's stream. */
export type SpecEvent<E extends DomainEvent> = E & { readonly streamId?: string };

/** The last step of a projection spec. */
export interface ProjectionThen<Ctx> {
  /** Runs `assertion` against the context after the events were projected. */
  then(
    assertion: (context: Ctx, report: ProjectionBatchReport) => void | Promise<void>,
  ): Promise<void>;
  /** The `when` events must fail with this projection error code. */
  thenFails(code: ProjectionFailureCode): Promise<void>;
}

/** A projection spec after `given`. */
export interface ProjectionWhen<E extends DomainEvent, Ctx> {
  when(events: readonly SpecEvent<E>[]): ProjectionThen<Ctx>;
}

/** Options of {@link projectionSpec}. */
export interface ProjectionSpecOptions<Ctx> {
  /** Creates a fresh context (read model) for each spec run. */
  readonly context: () => Ctx | Promise<Ctx>;
  /** The stream events belong to when they name none (default `stream-1`). */
  readonly streamId?: string;
}

/**
 * Given/when/then tests for a projection. Events are encoded with their codecs, wrapped into
 * one commit per event with gapless versions per stream, and run through the same runner the
 * application uses; `given` events are projected first, then `when` events.
 *
 * @example
 * ```ts
 * await projectionSpec(stock, { context: () => new Map<string, number>() })
 *   .given([ProductCreated.create({ name: 'Mug', price: 10, stock: 5 })])
 *   .when([StockReserved.create({ quantity: 2 })])
 *   .then((levels) => expect(levels.get('stream-1')).toBe(3));
 * ```
 */
export const projectionSpec = <E extends DomainEvent, Ctx>(
  projection: Projection<E, Ctx>,
  options: ProjectionSpecOptions<Ctx>,
): { given(events: readonly SpecEvent<E>[]): ProjectionWhen<E, Ctx> } => ({
  given: (given) => ({
    when: (when) => {
      const run = async () => {
        const context = await options.context();
        const runner = createProjectionRunner({
          projections: [projection],
          store: new InMemoryProjectionStore(),
          context,
        });
        const versions = new Map<string, number>();
        const toCommits = (events: readonly SpecEvent<E>[]): Commit[] =>
          events.map((event) => {
            const streamId = event.streamId ?? options.streamId ?? 'stream-1';
            const version = (versions.get(streamId) ?? 0) + 1;
            versions.set(streamId, version);
            const committedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString();
            const encoded = projection.registry.encode(event);
            return {
              streamId,
              fromVersion: version,
              toVersion: version,
              committedAt,
              events: [
                {
                  ...encoded,
                  streamId,
                  version,
                  eventId: `spec-${streamId}-${version}`,
                  occurredAt: committedAt,
                  metadata: {},
                },
              ],
            };
          });
        const before = await runner.handle(toCommits(given));
        if (before.isErr()) fail(`the given events failed to project: ${before.error.message}`);
        return { context, result: await runner.handle(toCommits(when)) };
      };
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; await the promise `then` returns
        then: async (assertion) => {
          const { context, result } = await run();
          if (result.isErr()) fail(`the when events failed to project: ${result.error.message}`);
          await assertion(context, result.value);
        },
        thenFails: async (code) => {
          const { result } = await run();
          if (result.isOk()) fail(`expected the projection to fail with ${code}, but it succeeded`);
          deepStrictEqual(
            result.error.kind === 'ProjectionError' ? result.error.code : result.error.kind,
            code,
          );
        },
      };
    },
  }),
});
