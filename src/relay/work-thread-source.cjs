'use strict';
// The relay pool's thread entry when maskgate runs from its TypeScript source (npm start without a
// build, the tests): it registers tsx in this thread, whoever started the process, then loads the
// real module once, through import(). The build runs work-thread.js directly.
//
// CommonJS on purpose. piscina first require()s its task file, once per task name, and only then
// falls back to import(). On Node ≥ 20.19 require() loads an ES module synchronously, and with
// tsx's loader hooks registered in this thread that once killed the whole process
// ("FATAL ERROR: v8::Module::IsGraphAsync … must be used on an instantiated module", in CI). A
// CommonJS file is simply required, on every Node version.
const thread = (async () => {
  const { register } = await import('tsx/esm/api');
  register();
  return import('./work-thread.ts');
})();

/** @param {'connect' | 'parse' | 'read' | 'prepare' | 'sign' | 'held' | 'release'} name */
const call = (name) => async (task) => (await thread)[name](task);

module.exports = {
  connect: call('connect'),
  parse: call('parse'),
  read: call('read'),
  prepare: call('prepare'),
  sign: call('sign'),
  held: call('held'),
  release: call('release'),
};
