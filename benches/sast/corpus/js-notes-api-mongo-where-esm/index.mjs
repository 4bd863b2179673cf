import { MongoClient } from 'mongodb';

const client = new MongoClient(process.env.MONGO_URL);

export const handler = async (event) => {
  const { owner } = JSON.parse(event.body);
  const notes = client.db('app').collection('notes');
  const found = await notes.find({ $where: `this.owner == '${owner}'` }).toArray();
  return { statusCode: 200, body: JSON.stringify(found) };
};
