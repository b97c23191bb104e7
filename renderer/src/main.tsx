import { MantineProvider } from '@mantine/core';
import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { studioTheme } from './theme';
import './styles.css';
import './workspace.css';

// The page's Content-Security-Policy (style-src 'self') blocks <style> elements, so Mantine's injected CSS
// variables and breakpoint classes stay off: the default theme's variables come from its stylesheet.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={studioTheme} defaultColorScheme="auto" withCssVariables={false} withGlobalClasses={false}>
      <App />
    </MantineProvider>
  </StrictMode>,
);
