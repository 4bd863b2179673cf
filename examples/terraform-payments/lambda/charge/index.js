'use strict';

exports.handler = async (event) => {
  const body = JSON.parse(event.body || '{}');
  if (!Number.isInteger(body.amount) || body.amount <= 0) {
    return { statusCode: 400, body: 'invalid amount' };
  }
  return { statusCode: 202, body: JSON.stringify({ accepted: body.amount }) };
};
