import yaml from 'js-yaml';

export const handler = async (event) => {
  const manifest = yaml.load(event.body);
  const services = Object.keys(manifest.services || {});
  return { statusCode: 200, body: JSON.stringify({ services }) };
};
