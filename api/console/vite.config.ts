import { defineConfig } from 'vite';

// Hashed file names under /assets (served with a year's caching); no inline scripts or styles (the page's CSP has none).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'react' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
