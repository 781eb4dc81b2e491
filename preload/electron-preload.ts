// The dashboard window's preload script. A sandboxed preload cannot import ES modules, so this file and what it
// imports are bundled into one CommonJS file (`npm run build:preload` → dist/preload/electron-preload.cjs), with
// `electron` left for the sandbox's own require.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeControlApi } from './bridge.ts';

exposeControlApi(contextBridge, ipcRenderer);
