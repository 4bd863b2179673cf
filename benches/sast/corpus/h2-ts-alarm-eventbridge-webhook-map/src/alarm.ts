import type { EventBridgeEvent } from 'aws-lambda';

interface AlarmDetail {
  team: string;
  alarmName: string;
  state: string;
}

const WEBHOOKS = new Map<string, string>([
  ['payments', 'https://hooks.example.com/services/payments'],
  ['search', 'https://hooks.example.com/services/search'],
]);

export const handler = async (event: EventBridgeEvent<'AlarmStateChange', AlarmDetail>): Promise<void> => {
  const { team, alarmName, state } = event.detail;
  const url = WEBHOOKS.get(team);
  if (url === undefined) {
    console.log(`no webhook for team ${team}`);
    return;
  }
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: `${alarmName} is ${state}` }),
  });
};
