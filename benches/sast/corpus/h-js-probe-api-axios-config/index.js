const axios = require('axios');

exports.handler = async (event) => {
  const { target, timeout = 2000 } = JSON.parse(event.body);
  const res = await axios({ method: 'get', url: target, timeout });
  return { statusCode: 200, body: JSON.stringify({ status: res.status }) };
};
