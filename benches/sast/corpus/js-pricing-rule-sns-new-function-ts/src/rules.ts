import type { SNSEvent } from 'aws-lambda';

interface PricingRule {
  name: string;
  condition: string;
}

export const handler = async (event: SNSEvent): Promise<string[]> => {
  const rule: PricingRule = JSON.parse(event.Records[0].Sns.Message);
  const predicate = new Function('item', `return (${rule.condition});`);
  const items = [{ price: 10 }, { price: 120 }];
  return items.filter((item) => predicate(item)).map((item) => `${rule.name}:${item.price}`);
};
