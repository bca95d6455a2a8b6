/// <reference lib="dom" />
// Test-only: Debian's Chromium driven by playwright-core, and what a page's video really did.
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Playback {
  readyState: number;
  currentTime: number;
  duration: number;
  width: number;
  height: number;
  error: string | null;
}

/**
 * Waits until the page's <video> has decoded a frame, plays it muted until its clock moves (5 s at
 * most) and reports what the browser saw, for the caller to judge.
 */
export async function playVideo(page: Page, timeoutMs = 30_000): Promise<Playback> {
  await page.waitForFunction(
    () => {
      const video = document.querySelector('video');
      return !!video && video.readyState >= 2 && video.duration > 0;
    },
    undefined,
    { timeout: timeoutMs },
  );
  return page.evaluate(async () => {
    const video = document.querySelector('video') as HTMLVideoElement;
    video.muted = true;
    await video.play();
    const started = Date.now();
    while (video.currentTime === 0 && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    video.pause();
    return {
      readyState: video.readyState,
      currentTime: video.currentTime,
      duration: video.duration,
      width: video.videoWidth,
      height: video.videoHeight,
      error: video.error?.message ?? null,
    };
  });
}
