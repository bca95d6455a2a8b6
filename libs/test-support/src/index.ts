export { startService, waitForOk, type ServiceProcess } from './processes.ts';
export { helmBin, installKubeTools, kubeToolsDir, kubectlBin } from './kube-tools.ts';
export { launchChromium, playVideo, type Playback } from './browser.ts';
