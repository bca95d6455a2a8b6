export * from './create-scheduler.ts';
export * from './denoising-scheduler.ts';
export * from './distilled-scheduler.ts';
export * from './euler-scheduler.ts';
export * from './flow-sigmas.ts';
export * from './unipc-scheduler.ts';
