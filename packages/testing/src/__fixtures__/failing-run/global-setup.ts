// Starts DynamoDB Local for a run whose only test fails, and tells the parent test its group.
import { writeFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { liveProcessIds } from '../../internal/child-processes.js';
import { startLocalAws } from '../../local-aws.js';

export default async (_project: TestProject) => {
  const aws = await startLocalAws({
    kinesis: false,
    dynamodb: 'dynamodb-local',
    s3: false,
    firehose: false,
  });
  const file = process.env.TRIBUTARY_FIXTURE_PID_FILE;
  if (file !== undefined) writeFileSync(file, JSON.stringify(liveProcessIds()));
  return () => aws.stop();
};
