export { TestDriver, type TestDriverOptions, type TestInput } from './TestDriver.js';
