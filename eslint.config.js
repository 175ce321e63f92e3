import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The client that each adapter folder wraps. */
const ADAPTERS = {
  kafka: 'kafkajs',
  platformatic: '@platformatic/kafka',
  'sinks/influxdb': '@influxdata/influxdb-client',
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
  ...[
    {
      files: ['src/**/*.ts'],
      ignores: ['src/kafka/**', 'src/platformatic/**', 'src/sinks/influxdb/**'],
      restricted: ['kafka', 'platformatic', 'sinks/influxdb'],
    },
    { files: ['src/kafka/**/*.ts'], restricted: ['platformatic', 'sinks/influxdb'] },
    { files: ['src/platformatic/**/*.ts'], restricted: ['kafka', 'sinks/influxdb'] },
    { files: ['src/sinks/influxdb/**/*.ts'], restricted: ['kafka', 'platformatic'] },
  ].map(({ restricted, ...files }) => ({
    ...files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: restricted.map((folder) => ({
            name: ADAPTERS[folder],
            message: `${ADAPTERS[folder]} is imported only in src/${folder}/`,
          })),
        },
      ],
    },
  })),
);
