import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { countRequests } from './count-requests.js';
import { injectFaults } from './inject-faults.js';
import {
  createTable,
  dynamoClient,
  kinesisClient,
  useTestDynalite,
  useTestKinesalite,
} from './test-emulators.js';

const kinesis = useTestKinesalite();
const dynamo = useTestDynalite();

describe('countRequests', () => {
  it('counts requests per command', async () => {
    const table = await createTable(dynamo.endpoint);
    const client = dynamoClient(dynamo.endpoint);
    const requests = countRequests(client);

    for (const id of ['a', 'b', 'c']) {
      await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    }
    await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));

    expect(requests.counts()).toEqual({ PutItem: 3, GetItem: 1 });
    expect(requests.total()).toBe(4);
    client.destroy();
  });

  it('counts failed requests too', async () => {
    const client = dynamoClient(dynamo.endpoint);
    const requests = countRequests(client);

    await expect(
      client.send(new GetItemCommand({ TableName: 'missing', Key: { id: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect(requests.counts()).toEqual({ GetItem: 1 });
    client.destroy();
  });

  it('counts every attempt of the SDK retries', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    injectFaults(client, [{ commands: 'ListStreams', fault: 'timeout', times: 2 }], {
      layer: 'inside-retries',
    });

    const output = await client.send(new ListStreamsCommand({}));

    expect(output.$metadata.attempts).toBe(3);
    expect(requests.counts()).toEqual({ ListStreams: 3 });
    client.destroy();
  });

  it('resets, and stops counting once removed', async () => {
    const client = kinesisClient(kinesis.endpoint);
    const requests = countRequests(client);
    const other = countRequests(client);

    await client.send(new ListStreamsCommand({}));
    requests.reset();
    expect(requests.total()).toBe(0);
    await client.send(new ListStreamsCommand({}));
    expect(requests.counts()).toEqual({ ListStreams: 1 });

    requests.remove();
    requests.remove();
    await client.send(new ListStreamsCommand({}));

    expect(requests.counts()).toEqual({ ListStreams: 1 });
    expect(other.counts()).toEqual({ ListStreams: 3 });
    expect(
      client.middlewareStack.identify().filter((entry) => entry.includes('Counter')),
    ).toHaveLength(1);
    client.destroy();
  });
});
