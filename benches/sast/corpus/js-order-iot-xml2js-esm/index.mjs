import { parseStringPromise } from 'xml2js';

export const handler = async (event) => {
  const parsed = await parseStringPromise(event.xml, { explicitArray: false });
  const status = parsed.telemetry.status;
  return { device: event.deviceId, status };
};
