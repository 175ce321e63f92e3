import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The client that each adapter folder wraps. */
const ADAPTERS = { kafka: 'kafkajs', platformatic: '@platformatic/kafka' };

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
  // Each Kafka client is imported only in its adapter folder.
  ...[
    {
      files: ['src/**/*.ts'],
      ignores: ['src/kafka/**', 'src/platformatic/**'],
      restricted: ['kafka', 'platformatic'],
    },
    { files: ['src/kafka/**/*.ts'], restricted: ['platformatic'] },
    { files: ['src/platformatic/**/*.ts'], restricted: ['kafka'] },
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
