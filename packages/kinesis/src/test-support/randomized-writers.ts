// Test support: concurrent writers with random injected faults, then a check of the commit log.
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createCommandHandler,
  errAsync,
  type ResultAsync,
  type StoreError,
  type StreamHeadStore,
  storeError,
} from '@tributary/core';
import { counterFixture } from '@tributary/core/testing';
import { injectFaults, localClientConfig, SimulatedCrash } from '@tributary/testing';
import { KinesisEventStore } from '../kinesis-event-store.js';
import { checkCommitLog, readAllCommits } from './read-stream.js';

const { Counter, Increment } = counterFixture;

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
};

type FaultKind =
  | 'none'
  | 'crashBeforePut'
  | 'crashAfterPut'
  | 'throttle'
  | 'ackFails'
  | 'ackCrashes';
const FAULTS: readonly FaultKind[] = [
  'none',
  'none',
  'crashBeforePut',
  'crashAfterPut',
  'throttle',
  'ackFails',
  'ackCrashes',
];

/** Wraps a head store so that the next acknowledgement fails or "crashes" when asked to. */
const faultyAcknowledgements = (heads: StreamHeadStore) => {
  let next: 'ok' | 'fail' | 'crash' = 'ok';
  const wrapped: StreamHeadStore = {
    get: (streamId) => heads.get(streamId),
    put: (streamId, snapshot, options) => heads.put(streamId, snapshot, options),
    getHead: (streamId) => heads.getHead(streamId),
    writeHead: (streamId, write) => heads.writeHead(streamId, write),
    writeHeads: (writes) => heads.writeHeads(writes),
    listPending: (options) => heads.listPending(options),
    acknowledge: (streamId, version, position, options): ResultAsync<boolean, StoreError> => {
      const mode = next;
      next = 'ok';
      if (mode === 'crash') throw new SimulatedCrash({ command: 'acknowledge', phase: 'before' });
      if (mode === 'fail')
        return errAsync(storeError('Unavailable', 'injected acknowledgement failure'));
      return heads.acknowledge(streamId, version, position, options);
    },
  };
  return { heads: wrapped, failNext: (mode: 'fail' | 'crash') => (next = mode) };
};

export interface RandomRunReport {
  readonly seed: number;
  readonly iterations: number;
  readonly crashes: number;
  readonly unpublished: number;
  readonly versions: ReadonlyMap<string, readonly number[]>;
}

/**
 * Runs `writers` concurrent writers for `iterations` commands in all over `streams` streams, each
 * with its own Kinesis client and random faults, then sweeps, and checks that the log, with
 * duplicates dropped, holds every stream's commits exactly once, in order, without a gap, and
 * that the events add up to each head's state.
 */
export const runRandomWriters = async (options: {
  readonly seed: number;
  readonly iterations: number;
  readonly writers: number;
  readonly streams: readonly string[];
  readonly kinesisEndpoint: string;
  readonly streamName: string;
  readonly heads: StreamHeadStore;
}): Promise<RandomRunReport> => {
  let crashes = 0;
  let unpublished = 0;
  let remaining = options.iterations;
  const clients: KinesisClient[] = [];

  // Each writer draws from its own generator, so the seed fixes every writer's sequence of
  // commands and faults; how the writers interleave still depends on I/O timing.
  const writer = async (index: number) => {
    const random = seededRandom(options.seed + index + 1);
    const kinesis = new KinesisClient(localClientConfig(options.kinesisEndpoint));
    clients.push(kinesis);
    const acknowledgements = faultyAcknowledgements(options.heads);
    const eventStore = new KinesisEventStore({
      kinesis,
      streamName: options.streamName,
      heads: acknowledgements.heads,
      publishRetry: { maxAttempts: 3 },
      sleep: async () => {},
      random,
    });
    const counters = createCommandHandler(Counter, {
      eventStore,
      retry: { maxAttempts: 50, initialDelayMs: 1, maxDelayMs: 5 },
      random,
    });
    while (remaining > 0) {
      remaining -= 1;
      const streamId = options.streams[Math.floor(random() * options.streams.length)] ?? 'stream';
      const fault = FAULTS[Math.floor(random() * FAULTS.length)] ?? 'none';
      const injected =
        fault === 'crashBeforePut' || fault === 'crashAfterPut'
          ? injectFaults(kinesis, [
              {
                commands: 'PutRecord',
                fault: fault === 'crashBeforePut' ? 'crashBefore' : 'crashAfter',
              },
            ])
          : fault === 'throttle'
            ? injectFaults(kinesis, [
                { commands: 'PutRecord', fault: 'throttle', times: 1 + Math.floor(random() * 4) },
              ])
            : undefined;
      if (fault === 'ackFails') acknowledgements.failNext('fail');
      if (fault === 'ackCrashes') acknowledgements.failNext('crash');
      try {
        const result = await counters.handle(
          streamId,
          Increment.create({ by: 1 + Math.floor(random() * 9) }),
        );
        if (result.isOk() && !result.value.duplicate) {
          // A command whose commit could not be published is still durable.
          const events = result.value.events;
          if (events.length === 0) throw new Error('no events');
        }
        if (
          result.isErr() &&
          result.error.kind !== 'ConcurrencyError' &&
          result.error.kind !== 'StoreError'
        ) {
          throw new Error(`unexpected ${result.error.kind}: ${result.error.message}`);
        }
        if (result.isErr() && result.error.kind === 'StoreError') unpublished += 1;
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        crashes += 1; // the "process" died here; the next iteration is a restarted one
      } finally {
        injected?.remove();
      }
    }
  };

  // A sweeper runs the whole time, concurrently with the writers, as the scheduled one would.
  let writing = true;
  let sweeps = 0;
  const concurrentSweeper = async () => {
    const kinesis = new KinesisClient(localClientConfig(options.kinesisEndpoint));
    clients.push(kinesis);
    const sweeper = new KinesisEventStore({
      kinesis,
      streamName: options.streamName,
      heads: options.heads,
      sleep: async () => {},
    });
    while (writing) {
      const sweep = await sweeper.publishPending();
      if (sweep.isErr()) throw new Error(sweep.error.message);
      sweeps += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  try {
    const sweeping = concurrentSweeper();
    await Promise.all(Array.from({ length: options.writers }, (_, index) => writer(index))).finally(
      () => {
        writing = false;
      },
    );
    await sweeping;
    if (sweeps === 0) throw new Error('the concurrent sweeper never ran');
    // Recovery: the sweeper publishes whatever is still pending.
    const sweeper = new KinesisEventStore({
      kinesis: clients[0] ?? new KinesisClient(localClientConfig(options.kinesisEndpoint)),
      streamName: options.streamName,
      heads: options.heads,
      sleep: async () => {},
    });
    const sweep = await sweeper.publishPending();
    if (sweep.isErr()) throw new Error(sweep.error.message);
    if (sweep.value.failures.length > 0) throw new Error(sweep.value.failures[0]?.message);

    const commits = (
      await readAllCommits(
        clients[0] ?? new KinesisClient(localClientConfig(options.kinesisEndpoint)),
        options.streamName,
      )
    ).filter((commit) => options.streams.includes(commit.streamId));
    const versions = checkCommitLog(commits);
    for (const streamId of options.streams) {
      const head = await options.heads.getHead(streamId);
      if (head.isErr()) throw new Error(head.error.message);
      const expected = head.value?.version ?? 0;
      const published = versions.get(streamId) ?? [];
      if (published.length !== expected) {
        throw new Error(
          `stream ${streamId}: head at ${expected}, log holds versions ${published.join(',')}`,
        );
      }
      if (head.value?.pending !== undefined)
        throw new Error(`stream ${streamId} still has a pending commit`);
      // The first publication of each version carries the amounts that make up the state.
      const firsts = new Map<number, number>();
      for (const commit of commits) {
        if (commit.streamId !== streamId) continue;
        for (const envelope of commit.events) {
          if (!firsts.has(envelope.version))
            firsts.set(envelope.version, (envelope.data as { by: number }).by);
        }
      }
      const total = [...firsts.values()].reduce((sum, amount) => sum + amount, 0);
      const state = head.value?.snapshot?.state as { count: number } | undefined;
      if ((state?.count ?? 0) !== total) {
        throw new Error(
          `stream ${streamId}: state count ${state?.count} but the log adds up to ${total}`,
        );
      }
    }
    return { seed: options.seed, iterations: options.iterations, crashes, unpublished, versions };
  } finally {
    for (const client of clients) client.destroy();
  }
};
