// Prints `name: value unit` lines. The machine is shared: compare the ratios within one run.
import { CreateStreamCommand, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { createCommandHandler } from '@tributary/core';
import { counterFixture } from '@tributary/core/testing';
import { createStreamHeadTable, DynamoDBStreamHeadStore } from '@tributary/dynamodb';
import { KinesisEventStore } from '@tributary/kinesis';
import { countRequests, startLocalAws, uniqueResourceName } from '@tributary/testing';

const { Counter, Increment } = counterFixture;

const print = (name: string, value: number, unit: string, digits = 0) =>
  console.log(`${name}: ${value.toFixed(digits)} ${unit}`);

const aws = await startLocalAws({
  kinesis: 'kinesalite',
  dynamodb: 'dynamodb-local',
  s3: false,
  firehose: false,
  log: () => {},
});
try {
  const StreamName = uniqueResourceName('bench');
  await aws.kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 4 }));
  await waitUntilStreamExists({ client: aws.kinesis, maxWaitTime: 30 }, { StreamName });
  const tableName = uniqueResourceName('heads');
  const created = await createStreamHeadTable(aws.dynamodb, tableName);
  if (created.isErr()) throw new Error(created.error.message);

  const eventStore = new KinesisEventStore({
    kinesis: aws.kinesis,
    streamName: StreamName,
    heads: new DynamoDBStreamHeadStore({ client: aws.dynamodb, tableName }),
  });
  const counters = createCommandHandler(Counter, { eventStore });
  const command = Increment.create({ by: 1 });

  const run = async (label: string, writers: number, commandsPerWriter: number, report = true) => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let n = 0; n < commandsPerWriter; n += 1) {
          // Each writer has its own streams, as separate aggregates would.
          const result = await counters.handle(`${label}-w${writer}-s${n % 20}`, command);
          if (result.isErr()) throw new Error(result.error.message);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const rate = (writers * commandsPerWriter) / seconds;
    if (report)
      print(`appends_per_second_${writers}_writer${writers === 1 ? '' : 's'}`, rate, 'appends/s');
    return rate;
  };

  console.log(`# Kinesis event store on kinesalite + DynamoDB Local, node ${process.version}`);
  await run('warmup', 4, 50, false);
  const dynamo = countRequests(aws.dynamodb);
  const kinesis = countRequests(aws.kinesis);
  const one = await run('one', 1, 400);
  const perCommand = (count: number | undefined) => (count ?? 0) / 400;
  const dynamoCounts = dynamo.counts();
  const kinesisCounts = kinesis.counts();
  print('requests_per_command_GetItem', perCommand(dynamoCounts.GetItem), 'reads', 2);
  print('requests_per_command_UpdateItem', perCommand(dynamoCounts.UpdateItem), 'writes', 2);
  print('requests_per_command_PutRecord', perCommand(kinesisCounts.PutRecord), 'puts', 2);
  print(
    'requests_per_command_other',
    perCommand(
      dynamo.total() +
        kinesis.total() -
        (dynamoCounts.GetItem ?? 0) -
        (dynamoCounts.UpdateItem ?? 0) -
        (kinesisCounts.PutRecord ?? 0),
    ),
    'requests',
    2,
  );
  dynamo.remove();
  kinesis.remove();
  const eight = await run('eight', 8, 200);
  print('ratio_8_writers_vs_1', eight / one, 'x', 2);
} finally {
  await aws.stop();
}
