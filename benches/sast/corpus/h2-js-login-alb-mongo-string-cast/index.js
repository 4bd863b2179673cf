const { MongoClient } = require('mongodb');
const bcrypt = require('bcryptjs');

const client = new MongoClient(process.env.MONGO_URL);

exports.handler = async (event) => {
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body;
  const { email, password } = JSON.parse(raw || '{}');
  const users = client.db('auth').collection('users');
  const user = await users.findOne({ email: String(email) });
  const ok = Boolean(user) && (await bcrypt.compare(String(password), user.passwordHash));
  return {
    statusCode: ok ? 200 : 401,
    statusDescription: ok ? '200 OK' : '401 Unauthorized',
    body: ok ? JSON.stringify({ id: user._id }) : 'denied',
  };
};
