import { promises as fs } from 'fs';
import * as path from 'path';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export async function handler(event: APIGatewayProxyEvent) {
  const requested = event.pathParameters?.file ?? 'default.png';
  const safeName = path.basename(requested);
  const data = await fs.readFile(path.join('/var/task/avatars', safeName));
  return { statusCode: 200, isBase64Encoded: true, body: data.toString('base64') };
}
