// Prints `name: value unit` lines. Timings on a shared machine vary; compare the ratios.
import {
  createCommandHandler,
  InMemoryEventStore,
  loadAggregate,
  NO_STREAM,
  neverSnapshot,
  snapshotEveryCommit,
} from '@tributary/core';
import { counterFixture } from '@tributary/core/testing';

const { Counter, Increment } = counterFixture;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const print = (name: string, value: number, unit: string, digits = 0) => {
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`);
};

const commandsPerSecond = async (
  label: string,
  streams: number,
  commands: number,
  snapshots: boolean,
) => {
  const eventStore = new InMemoryEventStore();
  const counters = createCommandHandler(Counter, {
    eventStore,
    snapshotPolicy: snapshots ? snapshotEveryCommit() : neverSnapshot(),
  });
  const command = Increment.create({ by: 1 });
  // Warm up the JIT on streams the measured run does not touch.
  for (let index = 0; index < 2_000; index += 1)
    await counters.handle(`warm-${index % 10}`, command);
  const started = performance.now();
  for (let index = 0; index < commands; index += 1) {
    const result = await counters.handle(`counter-${index % streams}`, command);
    if (result.isErr()) throw new Error(result.error.message);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = commands / seconds;
  print(`commands_per_second_${label}`, rate, 'commands/s');
  return rate;
};

const loadTimes = async (events: number, rounds: number) => {
  const withSnapshot = new InMemoryEventStore();
  const withoutSnapshot = new InMemoryEventStore();
  const batch = (from: number) =>
    Array.from({ length: 100 }, (_, index) => ({
      type: 'Incremented',
      data: { by: from + index },
      schemaVersion: 1,
    }));
  for (let from = 0; from < events; from += 100) {
    const expected = from === 0 ? NO_STREAM : from;
    const state = { count: ((from + 100) * (from + 99)) / 2 };
    await withSnapshot.append('counter', expected, batch(from), {
      snapshot: { state, stateVersion: 1 },
    });
    await withoutSnapshot.append('counter', expected, batch(from));
  }
  const measure = async (store: InMemoryEventStore) => {
    const samples: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const started = performance.now();
      const loaded = await loadAggregate(store, Counter, 'counter');
      samples.push(performance.now() - started);
      if (loaded.isErr() || loaded.value.version !== events) throw new Error('load failed');
    }
    return median(samples);
  };
  await measure(withoutSnapshot);
  await measure(withSnapshot);
  const full = await measure(withoutSnapshot);
  const snap = await measure(withSnapshot);
  print(`load_${events}_events_without_snapshot`, full * 1000, 'µs', 1);
  print(`load_${events}_events_with_snapshot`, snap * 1000, 'µs', 1);
  print('load_speedup_with_snapshot', full / snap, 'x', 1);
};

const main = async () => {
  console.log(`# @tributary/core in memory, node ${process.version}`);
  const many = await commandsPerSecond('1000_streams_snapshot_every_commit', 1_000, 50_000, true);
  const manyNoSnap = await commandsPerSecond('1000_streams_no_snapshots', 1_000, 20_000, false);
  await commandsPerSecond('1_stream_snapshot_every_commit', 1, 50_000, true);
  print('ratio_snapshot_every_commit_vs_no_snapshots', many / manyNoSnap, 'x', 1);
  await loadTimes(1_000, 200);
};

await main();
