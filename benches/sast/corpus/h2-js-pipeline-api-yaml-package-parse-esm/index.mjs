import YAML from 'yaml';

export const handler = async (event) => {
  let doc;
  try {
    doc = YAML.parse(event.body ?? '');
  } catch (err) {
    return { statusCode: 400, body: 'invalid YAML' };
  }
  const jobs = Object.keys(doc?.jobs ?? {});
  return { statusCode: 200, body: JSON.stringify({ jobs }) };
};
