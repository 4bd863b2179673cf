const axios = require('axios');

exports.handler = async (event) => {
  for (const record of event.Records) {
    const message = JSON.parse(record.Sns.Message);
    const callbackUrl = message.callbackUrl;
    await axios.post(callbackUrl, { status: message.status });
  }
  return { delivered: event.Records.length };
};
