// The relay pool's thread entry when maskgate runs from its TypeScript source (npm start, the
// tests): it registers tsx in this thread, whoever started the process, then loads the real
// module. The build runs work-thread.js directly.
import { register } from 'tsx/esm/api';

register();
const thread = await import('./work-thread.ts');

export const parse = thread.parse;
export const prepare = thread.prepare;
export const sign = thread.sign;
export const authenticate = thread.authenticate;
