import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const KAFKAJS = { name: 'kafkajs', message: 'kafkajs is imported only in src/kafka/' };
const INFLUX_CLIENT = {
  name: '@influxdata/influxdb-client',
  message: '@influxdata/influxdb-client is imported only in src/sinks/influxdb/',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='it'][callee.property.name='only']",
          message: 'no .only',
        },
        {
          selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']",
          message: 'no .only',
        },
      ],
    },
  },
  // Each third-party client is imported only in its adapter folder.
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [KAFKAJS, INFLUX_CLIENT] }] },
  },
  { files: ['src/kafka/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [INFLUX_CLIENT] }] } },
  {
    files: ['src/sinks/influxdb/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [KAFKAJS] }] },
  },
);
