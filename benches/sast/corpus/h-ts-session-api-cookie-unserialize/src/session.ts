import * as serialize from 'node-serialize';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export async function handler(event: APIGatewayProxyEvent) {
  const cookie = event.headers['cookie'] || '';
  const token = cookie.replace(/^session=/, '');
  const session = serialize.unserialize(Buffer.from(token, 'base64').toString());
  return { statusCode: 200, body: JSON.stringify({ user: session.user }) };
}
