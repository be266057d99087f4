/** Step 1, identify the caller: which account and partition these credentials belong to. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../aws/credentials';
import { describeCallError, toCallError } from '../aws/errors';
import { RunError } from './run-types';

export interface Caller {
  accountId: string;
  arn: string;
  partition: string;
}

export async function identifyCaller(sts: Pick<STSClient, 'send'>, region: string, signal: AbortSignal): Promise<Caller> {
  let identity;
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
  } catch (err) {
    const e = toCallError(err, 'sts:GetCallerIdentity', { region }, signal);
    throw new RunError(`Could not tell which AWS account these credentials belong to (${describeCallError(e)}). Check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the region.`);
  }
  if (!identity.Account || !identity.Arn) throw new RunError('sts:GetCallerIdentity returned no Account or Arn: the response is malformed.');
  return { accountId: identity.Account, arn: identity.Arn, partition: partitionOf(identity.Arn) };
}
