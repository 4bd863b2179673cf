'use strict';
const crypto = require('crypto');

exports.handler = async (event) => {
  const message = event.Records ? event.Records[0].Sns.Message : event.body;
  const signature = crypto.createHmac('sha256', process.env.SIGNING_SECRET).update(message || '').digest('hex');
  return { statusCode: 200, body: JSON.stringify({ signature }) };
};
