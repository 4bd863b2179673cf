import { Client } from 'pg';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const client = new Client({ connectionString: process.env.DATABASE_URL });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const name = event.queryStringParameters?.name ?? '';
  await client.connect();
  const res = await client.query(`SELECT id, email FROM users WHERE name = '${name}'`);
  return { statusCode: 200, body: JSON.stringify(res.rows) };
};
