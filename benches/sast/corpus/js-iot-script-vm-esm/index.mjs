import vm from 'node:vm';

export async function handler(event) {
  const deviceId = event.deviceId;
  const sandbox = { reading: event.reading, result: null };
  vm.createContext(sandbox);
  vm.runInContext(event.transform, sandbox, { timeout: 50 });
  return { deviceId, value: sandbox.result };
}
