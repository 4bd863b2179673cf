import type { SQSEvent } from 'aws-lambda';

const SLACK_URL = 'https://hooks.slack.example.com/services/T000/B000';

export const handler = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const alert = JSON.parse(record.body) as { text: string };
    await fetch(SLACK_URL, {
      method: 'POST',
      body: JSON.stringify({ text: alert.text }),
    });
  }
};
