import { ResultAsync } from 'neverthrow';
import { type Commit, describeCommit } from './commit.js';
import { type ProjectionError, type StoreError, storeError } from './errors.js';
import type { DomainEvent, EventEnvelope, RawEventEnvelope } from './event.js';
import type { Projection, ProjectionHandler } from './projection.js';
import type { ProjectionStore } from './projection-store.js';

/** A stream a projection first saw at a version above 1 (accepted, and reported). */
export interface FirstSeenMidway {
  readonly projection: string;
  readonly projectionVersion: number;
  readonly streamId: string;
  readonly fromVersion: number;
}

/** What a batch did. */
export interface ProjectionBatchReport {
  /** Events handed to handlers. */
  readonly applied: number;
  /** Commits (per projection) skipped because they had been applied before: redeliveries. */
  readonly skipped: number;
  readonly firstSeenMidway: readonly FirstSeenMidway[];
}

/** Options of {@link createProjectionRunner}. */
export interface ProjectionRunnerOptions<Ctx> {
  // biome-ignore lint/suspicious/noExplicitAny: projections of any event union share a runner
  readonly projections: readonly Projection<any, Ctx>[];
  readonly store: ProjectionStore;
  /** What every handler receives as its second argument. */
  readonly context: Ctx;
}

/** Runs projections over batches of commits, in order. */
export interface ProjectionRunner {
  /**
   * Applies a batch of commits. Redelivered versions are skipped; a gap in a stream the
   * projection tracks is a `ProjectionError` with code `Gap`. On any failure the commits before
   * the failing one stay applied (with their positions) and the error says where it stopped.
   */
  handle(
    commits: readonly Commit[],
  ): ResultAsync<ProjectionBatchReport, ProjectionError | StoreError>;
}

const projectionError = (fields: Omit<ProjectionError, 'kind'>): ProjectionError => ({
  kind: 'ProjectionError',
  ...fields,
});

/**
 * Creates a runner that keeps, per (projection, stream), the last applied version in a
 * {@link ProjectionStore}. A projection starts tracking a stream at the first commit that holds
 * an event it handles; from then on every commit of that stream moves its position, so versions
 * must arrive without gaps.
 *
 * @example
 * ```ts
 * const runner = createProjectionRunner({ projections: [stock], store: new InMemoryProjectionStore(), context: undefined });
 * log.subscribe(async (batch) => {
 *   const result = await runner.handle(batch.map((entry) => entry.commit));
 *   if (result.isErr()) throw new Error(result.error.message);
 * });
 * ```
 */
export const createProjectionRunner = <Ctx>(
  options: ProjectionRunnerOptions<Ctx>,
): ProjectionRunner => {
  const { projections, store, context } = options;
  // Two versions of one projection may run side by side (a rebuild next to the live one).
  const key = (projection: Projection<DomainEvent, Ctx>) =>
    `${projection.name}@v${projection.version}`;
  const keys = new Set<string>();
  for (const projection of projections) {
    if (keys.has(key(projection))) {
      throw new TypeError(`projection ${key(projection)} is registered twice`);
    }
    keys.add(key(projection));
  }

  const run = async (commits: readonly Commit[]): Promise<ProjectionBatchReport> => {
    const streamIds = [...new Set(commits.map((commit) => commit.streamId))];
    const positions = new Map<string, Map<string, number>>();
    for (const projection of projections) {
      const loaded = await store.getPositions(key(projection), streamIds);
      if (loaded.isErr()) throw loaded.error;
      positions.set(key(projection), new Map(loaded.value));
    }
    const changed = new Map<string, Map<string, number>>(
      projections.map((projection) => [key(projection), new Map()]),
    );
    let applied = 0;
    let skipped = 0;
    const firstSeenMidway: FirstSeenMidway[] = [];

    const save = async () => {
      for (const projection of projections) {
        const updates = changed.get(key(projection));
        if (updates === undefined || updates.size === 0) continue;
        const saved = await store.setPositions(key(projection), updates);
        if (saved.isErr()) throw saved.error;
      }
    };

    for (const [index, commit] of commits.entries()) {
      for (const projection of projections) {
        const known = positions.get(key(projection)) ?? new Map<string, number>();
        const last = known.get(commit.streamId);
        const handled = commit.events.filter((event) => projection.handles(event.type));
        if (last === undefined && handled.length === 0) continue;
        if (last !== undefined && commit.toVersion <= last) {
          skipped += 1;
          continue;
        }
        if (last !== undefined && commit.fromVersion > last + 1) {
          await save();
          throw projectionError({
            code: 'Gap',
            message: `projection ${key(projection)}: ${describeCommit(commit)} arrived after version ${last}; versions ${last + 1}..${commit.fromVersion - 1} are missing`,
            projection: projection.name,
            projectionVersion: projection.version,
            streamId: commit.streamId,
            version: commit.fromVersion,
            lastApplied: last,
            failedAt: index,
          });
        }
        if (last === undefined && commit.fromVersion > 1) {
          firstSeenMidway.push({
            projection: projection.name,
            projectionVersion: projection.version,
            streamId: commit.streamId,
            fromVersion: commit.fromVersion,
          });
        }
        for (const raw of handled) {
          if (last !== undefined && raw.version <= last) continue;
          const decoded = projection.registry.decode(raw as RawEventEnvelope);
          if (decoded.isErr()) {
            await save();
            throw projectionError({
              code: 'InvalidEvent',
              message: `projection ${key(projection)}: ${decoded.error.message}`,
              projection: projection.name,
              projectionVersion: projection.version,
              streamId: commit.streamId,
              version: raw.version,
              failedAt: index,
              cause: decoded.error,
            });
          }
          const event = decoded.value as EventEnvelope<DomainEvent>;
          const handler = (
            projection.handlers as Record<string, ProjectionHandler<DomainEvent, Ctx>>
          )[event.type];
          try {
            await handler?.(event, context);
          } catch (cause) {
            await save();
            throw projectionError({
              code: 'HandlerFailed',
              message: `projection ${key(projection)}: handler for ${event.type} failed at ${commit.streamId}@${raw.version}: ${cause instanceof Error ? cause.message : String(cause)}`,
              projection: projection.name,
              projectionVersion: projection.version,
              streamId: commit.streamId,
              version: raw.version,
              failedAt: index,
              cause,
            });
          }
          applied += 1;
        }
        known.set(commit.streamId, commit.toVersion);
        changed.get(key(projection))?.set(commit.streamId, commit.toVersion);
      }
    }
    await save();
    return { applied, skipped, firstSeenMidway };
  };

  return {
    handle: (commits) =>
      ResultAsync.fromPromise(run(commits), (thrown) => {
        if (typeof thrown === 'object' && thrown !== null && 'kind' in thrown) {
          return thrown as ProjectionError | StoreError;
        }
        return storeError('Unexpected', `projection runner failed: ${String(thrown)}`, {
          cause: thrown,
        });
      }),
  };
};
