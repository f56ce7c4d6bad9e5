import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CrxPlugin, crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import {
  distDirName,
  type Flavor,
  GECKO_ID,
  type Target,
  TEST_HOST_PERMISSIONS,
} from './extension/shared/build-info';

// One source, two browsers, two flavors:
//   TARGET=chrome|firefox   (default chrome)
//   FLAVOR=release|test     (default release; test pre-grants http://127.0.0.1/* for the e2e suites)
// Output: dist/<target> or dist/<target>-test.

function pick<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name] ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}

const target = pick<Target>('TARGET', ['chrome', 'firefox'], 'chrome');
const flavor = pick<Flavor>('FLAVOR', ['release', 'test'], 'release');
const root = import.meta.dirname;

type Manifest = Record<string, unknown> & { background: { service_worker: string; type?: string } };

function buildManifest(): ManifestV3Export {
  const base = JSON.parse(readFileSync(resolve(root, 'manifest.json'), 'utf8')) as Manifest;
  const manifest: Record<string, unknown> = { ...base };
  if (flavor === 'test') {
    manifest.name = `${String(base.name)} (test)`;
    manifest.host_permissions = [...TEST_HOST_PERMISSIONS];
  }
  if (target === 'firefox') {
    delete manifest.minimum_chrome_version;
    manifest.background = { scripts: [base.background.service_worker], type: 'module' };
    // Firefox's side panel is the sidebar (one per window, following the active tab).
    const panel = (base.side_panel as { default_path: string } | undefined)?.default_path;
    delete manifest.side_panel;
    manifest.permissions = (base.permissions as string[]).filter((p) => p !== 'sidePanel');
    if (panel)
      manifest.sidebar_action = {
        default_panel: panel,
        default_title: String(base.name),
        open_at_install: false,
      };
    // Firefox has no use_dynamic_url (its moz-extension:// UUID is already random per install).
    const war = base.web_accessible_resources as Record<string, unknown>[] | undefined;
    if (war) manifest.web_accessible_resources = war.map(({ use_dynamic_url: _, ...rest }) => rest);
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '142.0',
        data_collection_permissions: { required: ['none'] },
      },
    };
  }
  return manifest as unknown as ManifestV3Export;
}

/**
 * crxjs lists dynamically imported scripts as web_accessible_resources for every http(s) page.
 * Our content script is injected through the scripting API, which needs no such entry, and an
 * exposed file would let any page detect offrecord: drop it.
 */
function noWebAccessibleContentScript(): CrxPlugin {
  return {
    name: 'offrecord:no-web-accessible-content-script',
    enforce: 'post',
    renderCrxManifest(manifest) {
      const war = (manifest.web_accessible_resources ?? [])
        .map((r) => ({ ...r, resources: r.resources.filter((f) => !f.startsWith('content-scripts/')) }))
        .filter((r) => r.resources.length > 0);
      if (war.length > 0) manifest.web_accessible_resources = war;
      else delete manifest.web_accessible_resources;
      return manifest;
    },
  };
}

export default defineConfig({
  root,
  plugins: [preact(), crx({ manifest: buildManifest(), browser: target }), noWebAccessibleContentScript()],
  define: {
    __OFFRECORD_TARGET__: JSON.stringify(target),
    __OFFRECORD_FLAVOR__: JSON.stringify(flavor),
  },
  build: {
    outDir: resolve(root, distDirName(target, flavor)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    minify: false,
    // The side panel is a page of its own, named by side_panel (Chrome) / sidebar_action
    // (Firefox): built as an input like the popup, so both browsers' manifests find it.
    rollupOptions: {
      input: {
        panel: resolve(root, 'extension/panel/index.html'),
        help: resolve(root, 'extension/help/index.html'),
      },
    },
  },
  server: { host: '127.0.0.1' },
});
