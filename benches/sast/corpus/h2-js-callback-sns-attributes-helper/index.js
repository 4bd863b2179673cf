const { postJson } = require('./lib/http');

exports.handler = async (event) => {
  await Promise.all(event.Records.map(async ({ Sns }) => {
    const attrs = Sns.MessageAttributes || {};
    const callback = attrs.callbackUrl && attrs.callbackUrl.Value;
    if (!callback) return;
    await postJson(callback, { messageId: Sns.MessageId, status: 'processed' });
  }));
  return { ok: true };
};
