import { createTheme } from '@mantine/core';

/**
 * The studio's Mantine theme. Only settings that need no injected CSS variables belong here (see main.tsx):
 * colours come from Mantine's stylesheet, so light and dark follow `prefers-color-scheme` unless overridden.
 */
export const studioTheme = createTheme({
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  defaultRadius: 'md',
  cursorType: 'pointer',
});
