/** Secrets Manager: a secret's current string value (the Slack forwarder's webhook URL). */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export async function readSecretString(client: Pick<SecretsManagerClient, 'send'>, secretId: string): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}
