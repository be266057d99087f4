/** Step 1, identify the caller: which account and partition these credentials belong to. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../aws/credentials';
import { describeCallError, toCallError } from '../aws/errors';
import { ACCOUNT_ID } from '../rule/identifiers';
import { RunError } from './run-types';

/** `arn:<partition>:(iam|sts)::<account>:<resource>`, as GetCallerIdentity answers for users, roles and sessions. */
const CALLER_ARN = /^arn:(aws(?:-[a-z]{1,10}){0,2}):(?:iam|sts)::(\d{12}):[\x21-\x7e]+$/;

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
  // The account becomes the run's own (audited, named in notes and commands): it must be what STS could send.
  const arn = CALLER_ARN.exec(identity.Arn);
  if (!arn) throw new RunError(`sts:GetCallerIdentity returned Arn ${JSON.stringify(identity.Arn.slice(0, 200))}, which is not an IAM or STS ARN: the response is malformed.`);
  if (!ACCOUNT_ID.test(identity.Account) || identity.Account !== arn[2]) {
    throw new RunError(`sts:GetCallerIdentity returned Account ${JSON.stringify(identity.Account.slice(0, 40))}, which is not the 12-digit account of its Arn (${arn[2]}): the response is malformed.`);
  }
  return { accountId: identity.Account, arn: identity.Arn, partition: partitionOf(identity.Arn) };
}
