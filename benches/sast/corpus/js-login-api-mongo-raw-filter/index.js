const { MongoClient } = require('mongodb');

const client = new MongoClient(process.env.MONGO_URL);

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  const users = client.db('auth').collection('users');
  const user = await users.findOne({ username: body.username, password: body.password });
  if (!user) {
    return { statusCode: 401, body: 'denied' };
  }
  return { statusCode: 200, body: JSON.stringify({ id: user._id }) };
};
