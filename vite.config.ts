import { resolve } from 'node:path';
import { defineConfig, type PluginOption } from 'vite';
import react from '@vitejs/plugin-react';
import electron from 'vite-plugin-electron/simple';

const here = __dirname;

/**
 * `vite build` builds the renderer plus Electron main and preload (CommonJS).
 * `vite build --mode web` builds only the renderer, served by electron/web-host.ts.
 */
export default defineConfig(({ mode }) => {
  const plugins: PluginOption[] = [react()];
  if (mode !== 'web') {
    plugins.push(
      electron({
        main: {
          entry: resolve(here, 'electron/main.ts'),
          vite: { build: { outDir: resolve(here, 'dist-electron') } },
        },
        preload: {
          input: resolve(here, 'electron/preload.ts'),
          vite: { build: { outDir: resolve(here, 'dist-electron') } },
        },
      }),
    );
  }
  return {
    root: resolve(here, 'renderer'),
    base: './',
    resolve: { alias: { '@shared': resolve(here, 'shared') } },
    build: { outDir: resolve(here, 'dist/renderer'), emptyOutDir: true },
    plugins,
  };
});
