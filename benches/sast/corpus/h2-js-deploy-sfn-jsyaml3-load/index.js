const yaml = require('js-yaml');
const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');

const ecs = new ECSClient({});

exports.handler = async (event) => {
  const manifest = yaml.load(event.manifest);
  const service = manifest.service || {};
  await ecs.send(new UpdateServiceCommand({
    cluster: event.cluster,
    service: service.name,
    desiredCount: Number(service.replicas || 1),
  }));
  return { ...event, deployed: service.name };
};
