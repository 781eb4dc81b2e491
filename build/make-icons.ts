// `npm run icons`: draws the app icon (build/icon.png 1024 px, build/icons/512x512.png) and the tray icons in the
// health colours (assets/tray/<health>.png, 16 px and @2x 32 px), as plain PNGs written with zlib: no image tools
// needed. electron-builder makes the .icns and .ico from build/icon.png. The output is committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      rows.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage of a disc at (cx, cy) radius r, anti-aliased over one pixel. */
const disc = (x: number, y: number, cx: number, cy: number, r: number): number =>
  Math.max(0, Math.min(1, r - Math.hypot(x - cx, y - cy) + 0.5));

function over(base: Rgba, top: Rgba, coverage: number): Rgba {
  const a = (top[3] / 255) * coverage;
  const outA = a + (base[3] / 255) * (1 - a);
  if (outA === 0) return [0, 0, 0, 0];
  const mix = (i: number) => Math.round((top[i]! * a + base[i]! * (base[3] / 255) * (1 - a)) / outA);
  return [mix(0), mix(1), mix(2), Math.round(outA * 255)];
}

const HEALTH: Readonly<Record<string, Rgba>> = {
  ok: [46, 160, 67, 255],
  degraded: [219, 154, 4, 255],
  failed: [207, 34, 46, 255],
  idle: [130, 139, 150, 255],
  paused: [84, 174, 255, 255],
};

/** The app icon: a dark rounded square, three ports on the left patched to one on the right (a switchboard). */
function appIcon(size: number): Buffer {
  const s = size / 1024;
  const left = [300, 512, 724].map((y) => [300 * s, y * s] as const);
  const right = [724 * s, 512 * s] as const;
  return png(size, (x, y) => {
    const inset = 64 * s;
    const radius = 200 * s;
    const qx = Math.max(inset + radius - x, 0, x - (size - inset - radius));
    const qy = Math.max(inset + radius - y, 0, y - (size - inset - radius));
    const square = Math.max(0, Math.min(1, radius - Math.hypot(qx, qy) + 0.5));
    let colour: Rgba = over([0, 0, 0, 0], [32, 38, 46, 255], square);
    for (const [lx, ly] of left) {
      // A cord: distance to the segment from the port to the hub.
      const dx = right[0] - lx;
      const dy = right[1] - ly;
      const t = Math.max(0, Math.min(1, ((x - lx) * dx + (y - ly) * dy) / (dx * dx + dy * dy)));
      const d = Math.hypot(x - (lx + t * dx), y - (ly + t * dy));
      colour = over(colour, [200, 210, 220, 255], Math.max(0, Math.min(1, 18 * s - d + 0.5)) * square);
    }
    left.forEach(([lx, ly], i) => {
      colour = over(colour, Object.values(HEALTH)[i]!, disc(x, y, lx, ly, 70 * s));
    });
    return over(colour, [84, 174, 255, 255], disc(x, y, right[0], right[1], 100 * s));
  });
}

const trayIcon = (size: number, colour: Rgba): Buffer =>
  png(size, (x, y) =>
    over(
      over([0, 0, 0, 0], [255, 255, 255, 230], disc(x, y, size / 2, size / 2, size * 0.44)),
      colour,
      disc(x, y, size / 2, size / 2, size * 0.36),
    ),
  );

const root = new URL('..', import.meta.url);
mkdirSync(new URL('build/icons/', root), { recursive: true });
mkdirSync(new URL('assets/tray/', root), { recursive: true });
writeFileSync(new URL('build/icon.png', root), appIcon(1024));
writeFileSync(new URL('build/icons/512x512.png', root), appIcon(512));
for (const [health, colour] of Object.entries(HEALTH)) {
  writeFileSync(new URL(`assets/tray/${health}.png`, root), trayIcon(16, colour));
  writeFileSync(new URL(`assets/tray/${health}@2x.png`, root), trayIcon(32, colour));
}
