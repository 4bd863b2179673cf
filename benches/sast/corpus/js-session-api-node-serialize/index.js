const serialize = require('node-serialize');

exports.handler = async (event) => {
  const raw = Buffer.from(event.body, 'base64').toString('utf8');
  const session = serialize.unserialize(raw);
  if (!session.user) {
    return { statusCode: 401, body: 'no session' };
  }
  return { statusCode: 200, body: `hello ${session.user}` };
};
