import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { applyFormula } from './lib/pricing';

interface QuoteRequest {
  base: number;
  formula?: string;
}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '{}';
  const req = JSON.parse(raw) as QuoteRequest;
  const total = applyFormula(req.formula ?? 'base', Number(req.base));
  return { statusCode: 200, body: JSON.stringify({ total }) };
};
