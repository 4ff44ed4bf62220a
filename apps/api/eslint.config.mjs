import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // Modules talk over the typed bus port (src/common/bus.ts), never the raw emitter, so every
    // event is in the map, stamped with an envelope and bridged between replicas.
    files: ['src/**/*.ts'],
    ignores: ['src/common/bus.ts', 'src/app.module.ts', 'src/**/*.spec.ts', 'src/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/event-emitter',
              message: 'Publish and subscribe through HubBus / @OnHubEvent (src/common/bus.ts).',
            },
          ],
        },
      ],
    },
  },
];
