import { KinesisClient, ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { localClientConfig } from '../internal/local-client-config.js';
import { countRequests } from './count-requests.js';
import { startFaultProxy } from './fault-proxy.js';
import { createStream, readStream, useTestKinesalite } from './test-emulators.js';

const kinesis = useTestKinesalite();

const clientThrough = (endpoint: string, maxAttempts: number) =>
  new KinesisClient({ ...localClientConfig(endpoint), maxAttempts });

describe('startFaultProxy', () => {
  it('forwards traffic, and refuses connections while set to refuse', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint });
    const client = clientThrough(proxy.endpoint, 1);

    await client.send(new ListStreamsCommand({}));
    proxy.set('refuse');
    await expect(client.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    proxy.set('pass');
    await client.send(new ListStreamsCommand({}));

    expect(proxy.connections()).toBeGreaterThanOrEqual(2);
    client.destroy();
    await proxy.close();
  });

  it('dropResponses: the record is written, the client sees a reset, the SDK retries', async () => {
    const stream = await createStream(kinesis.endpoint);
    const proxy = await startFaultProxy({ target: kinesis.endpoint, behaviour: 'dropResponses' });
    const client = clientThrough(proxy.endpoint, 2);
    const requests = countRequests(client);

    await expect(
      client.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: 'order-1',
          Data: new TextEncoder().encode('commit 1'),
        }),
      ),
    ).rejects.toMatchObject({ code: 'ECONNRESET', $metadata: { attempts: 2 } });

    // Both attempts reached the service: the commit was published twice.
    expect(requests.counts()).toEqual({ PutRecord: 2 });
    const records = await readStream(kinesis.endpoint, stream);
    expect(records.map((record) => new TextDecoder().decode(record.Data))).toEqual([
      'commit 1',
      'commit 1',
    ]);
    client.destroy();
    await proxy.close();
  });

  it('blackhole never answers: the caller times out through its abort signal', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint, behaviour: 'blackhole' });
    const client = clientThrough(proxy.endpoint, 1);

    await expect(
      client.send(new ListStreamsCommand({}), { abortSignal: AbortSignal.timeout(200) }),
    ).rejects.toMatchObject({ name: 'AbortError' });

    client.destroy();
    await proxy.close();
  });

  it('delays requests, and resets open connections on demand', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint });
    const client = clientThrough(proxy.endpoint, 2);
    await client.send(new ListStreamsCommand({}));

    proxy.set({ kind: 'delay', delayMs: 200 });
    const started = Date.now();
    await client.send(new ListStreamsCommand({}));

    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    proxy.set('pass');
    proxy.resetConnections();
    // The kept-alive connection is dead: an attempt on it fails, the SDK retries on a new one.
    await client.send(new ListStreamsCommand({}));
    expect(proxy.connections()).toBe(2);
    client.destroy();
    await proxy.close();
  });
});
