// Preloaded with `node --require` (workers inherit it): `koffi` cannot be found, as on a machine
// where its prebuilt binary is missing. For the test that the gateway runs on without malloc_trim.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload: --require loads no ES module
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'koffi') throw Object.assign(new Error("Cannot find module 'koffi' (hidden by test/helpers/no-koffi.cjs)"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
