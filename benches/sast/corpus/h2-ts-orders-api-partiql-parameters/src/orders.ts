import { DynamoDBClient, ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const ddb = new DynamoDBClient({});
const TABLE = process.env.ORDERS_TABLE ?? 'Orders';

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const customerId = event.pathParameters?.customerId;
  if (!customerId) {
    return { statusCode: 400, body: 'customerId required' };
  }
  const statement = `SELECT * FROM "${TABLE}" WHERE customerId = ?`;
  const out = await ddb.send(new ExecuteStatementCommand({ Statement: statement, Parameters: [{ S: customerId }] }));
  return { statusCode: 200, body: JSON.stringify((out.Items ?? []).map((item) => unmarshall(item))) };
};
