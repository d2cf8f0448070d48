import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useApp } from './store';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void useApp.getState().detectGpu();
// The default potential is the project's own DP-Tab model: fetch it into the simulation worker now.
void useApp.getState().loadBuiltinModel();
// Test and automation hook: the store (read state, call actions). Holds nothing that is not already on screen.
(window as unknown as { __app: typeof useApp }).__app = useApp;
