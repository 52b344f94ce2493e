// What the pages put on `window` for the tests (tests/pages/ reads them with page.evaluate):
// the page's live stream, and on the screens the sound queue and the sound URLs in the order
// they started. For tsc only (tsconfig.pages.json): this folder is not served.
import type { HallStream } from "../displays/static/shared/protocol.js";
import type { SoundQueue } from "../displays/static/shared/sound.js";

declare global {
  interface Window {
    callnextStream: HallStream;
    callnextSound: SoundQueue;
    callnextPlayed: string[];
  }
}

export {};
