/**
 * Alert routes (`routes`, lambda/routes.ts): per route, a topic like the central one (the same
 * customer-managed key, TLS only), named `trailcheck-route-<name>` so the function derives its ARN
 * from the central topic's; its email subscriptions; and an AWS Chatbot channel configuration in
 * the main config's Slack workspace when the route names a channel. The Slack webhook forwarder
 * subscribes to the routes that name a webhook secret (lib/alerts.ts `SlackAlerts`).
 *
 * No CloudWatch alarm publishes to a route topic, so, unlike the central topic, its policy admits
 * no CloudWatch statement: the function (sns:Publish, granted in lib/audit-stack.ts) is its only
 * publisher.
 */
import { Annotations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { routeTopicName, type Route } from '../lambda/routes';
import type { TrailcheckConfig } from './config';

export interface RouteTopic {
  route: Route;
  topic: sns.Topic;
  chatbot?: chatbot.SlackChannelConfiguration;
}

export class RouteTopics extends Construct {
  readonly routes: RouteTopic[];

  constructor(scope: Construct, id: string, props: { config: TrailcheckConfig; key: kms.IKey }) {
    super(scope, id);
    const { config, key } = props;
    this.routes = config.routes.map((route) => {
      const topic = new sns.Topic(this, `Topic-${route.name}`, {
        topicName: routeTopicName(route.name),
        displayName: `trailcheck ${route.name}`,
        masterKey: key,
        enforceSSL: true,
      });
      for (const email of route.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
      if (route.emails.length === 0 && !route.slackWebhookSecretName && !route.chatbotSlackChannelId) {
        Annotations.of(this).addWarningV2(
          `trailcheck:routeWithoutDestination:${route.name}`,
          `trailcheck.routes: route "${route.name}" has no emails, no slackWebhookSecretName and no chatbotSlackChannelId: its topic ${routeTopicName(route.name)} has no subscriber unless you add one (docs/deploy.md "Alert routes").`,
        );
      }
      return { route, topic, ...(route.chatbotSlackChannelId ? { chatbot: this.chatbot(route, topic, config) } : {}) };
    });
  }

  private chatbot(route: Route, topic: sns.Topic, config: TrailcheckConfig): chatbot.SlackChannelConfiguration {
    return new chatbot.SlackChannelConfiguration(this, `Chatbot-${route.name}`, {
      slackChannelConfigurationName: routeTopicName(route.name),
      // lib/config.ts refuses a route's channel without the workspace.
      slackWorkspaceId: config.chatbotSlackWorkspaceId as string,
      slackChannelId: route.chatbotSlackChannelId as string,
      notificationTopics: [topic],
      loggingLevel: chatbot.LoggingLevel.ERROR,
      // Notifications only, as the central channel: nobody in the channel may run AWS commands through Chatbot.
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll')],
      userRoleRequired: false,
    });
  }
}
