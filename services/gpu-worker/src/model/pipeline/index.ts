export * from './denoising-loop.ts';
export * from './first-frame.ts';
export * from './flow-model.ts';
export * from './gaussian-noise.ts';
export * from './guidance.ts';
export * from './image-input.ts';
export * from './onnx-flow-model.ts';
export * from './token-timesteps.ts';
