/** Step 1, identify the caller (lambda/audit/identify-caller.ts), against a mocked STS client. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { identifyCaller } from '../../lambda/audit/identify-caller';
import { RunError } from '../../lambda/audit/run-types';

const sts = mockClient(STSClient);
const client = new STSClient({ region: 'us-east-1' });
const live = () => new AbortController().signal;

beforeEach(() => sts.reset());

test('the account, the ARN and the partition of the ARN; one call, listening on the run signal', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/trailcheck/fn', UserId: 'AROA:fn' });
  const signal = live();
  await expect(identifyCaller(client, 'us-east-1', signal)).resolves.toEqual({
    accountId: '111111111111',
    arn: 'arn:aws:sts::111111111111:assumed-role/trailcheck/fn',
    partition: 'aws',
  });
  const calls = sts.commandCalls(GetCallerIdentityCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0].args[0].input).toEqual({});
  expect((calls[0].args as unknown[])[1]).toEqual({ abortSignal: signal });
});

test.each([
  ['arn:aws-us-gov:sts::111111111111:assumed-role/trailcheck/fn', 'aws-us-gov'],
  ['arn:aws-cn:iam::111111111111:user/ops', 'aws-cn'],
  ['arn:aws-iso-b:sts::111111111111:assumed-role/r/s', 'aws-iso-b'],
])('the partition comes from the ARN: %s is in %s', async (arn, partition) => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: arn });
  expect((await identifyCaller(client, 'us-gov-west-1', live())).partition).toBe(partition);
});

test.each<[string, Record<string, string>]>([
  ['no Account', { Arn: 'arn:aws:iam::111111111111:user/t' }],
  ['no Arn', { Account: '111111111111' }],
  ['an empty Account', { Account: '', Arn: 'arn:aws:iam::111111111111:user/t' }],
  ['an empty Arn', { Account: '111111111111', Arn: '' }],
])('a response with %s is a RunError saying it is malformed, never a guessed caller', async (_name, response) => {
  sts.on(GetCallerIdentityCommand).resolves(response);
  const run = identifyCaller(client, 'us-east-1', live());
  await expect(run).rejects.toBeInstanceOf(RunError);
  await expect(run).rejects.toThrow('sts:GetCallerIdentity returned no Account or Arn: the response is malformed.');
});

test('an Arn that is not an ARN is refused, naming the value (never a partition guessed from it)', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'not-an-arn' });
  await expect(identifyCaller(client, 'us-east-1', live())).rejects.toThrow('GetCallerIdentity returned Arn "not-an-arn", which is not an IAM or STS ARN');
});

// A malformed Arn is a RunError (the CLI prints its message), never an unexpected error with a stack.
test('an Arn that is not an ARN fails the run as a RunError, like a missing Arn', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'not-an-arn' });
  await expect(identifyCaller(client, 'us-east-1', live())).rejects.toBeInstanceOf(RunError);
});

// Account becomes the run's own account (and the one audited without an organization): it must be
// 12 digits and the Arn's own.
test('an Account that is not 12 digits is refused as malformed', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '1111; rm -rf', Arn: 'arn:aws:iam::111111111111:user/t' });
  await expect(identifyCaller(client, 'us-east-1', live())).rejects.toBeInstanceOf(RunError);
});

test('an Account that differs from the account in the Arn is refused as malformed', async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222', Arn: 'arn:aws:iam::111111111111:user/t' });
  await expect(identifyCaller(client, 'us-east-1', live())).rejects.toBeInstanceOf(RunError);
});

test('a failed call is a RunError naming the call, the region, the AWS code and what to check', async () => {
  sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }));
  const run = identifyCaller(client, 'eu-west-1', live());
  await expect(run).rejects.toBeInstanceOf(RunError);
  await expect(run).rejects.toThrow(
    'Could not tell which AWS account these credentials belong to (sts:GetCallerIdentity in eu-west-1 failed: ExpiredTokenException: The security token included in the request is expired). Check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the region.',
  );
});

test('a call cut by the deadline says so, not the abort error it surfaced as', async () => {
  const controller = new AbortController();
  sts.on(GetCallerIdentityCommand).callsFake(async () => {
    controller.abort();
    throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
  });
  await expect(identifyCaller(client, 'us-east-1', controller.signal)).rejects.toThrow(
    /\(sts:GetCallerIdentity in us-east-1 failed: DeadlineExceeded: the run reached its deadline before this call finished\)/,
  );
});
