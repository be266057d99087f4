/**
 * SNS Publish: one message holding a body per protocol (`MessageStructure: "json"`: each
 * subscription receives its protocol's body, or `default`), with message attributes for
 * subscription filter policies. What goes in it is lambda/channels/sns.ts's.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export type MessageAttributes = Record<string, { DataType: 'String' | 'Number' | 'String.Array'; StringValue: string }>;

export interface JsonMessage {
  subject: string;
  /** `{"default": <body>, "<protocol>": <body>, …}` as JSON. */
  message: string;
  attributes: MessageAttributes;
}

export async function publishJsonMessage(sns: Pick<SNSClient, 'send'>, topicArn: string, m: JsonMessage): Promise<{ messageId?: string }> {
  const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: m.subject, Message: m.message, MessageStructure: 'json', MessageAttributes: m.attributes }));
  return { messageId: out.MessageId };
}

/** `arn:aws:sns:eu-west-1:…` → `eu-west-1` (the topic must be called in its own region). */
export function topicRegion(topicArn: string): string {
  return topicArn.split(':')[3];
}
