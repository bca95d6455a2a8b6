#!/usr/bin/env bash
# End to end on a real (kind) cluster: build the images, install the chart, submit a VideoJob.
#
# THIS CANNOT RUN IN THE PROJECT'S OWN ENVIRONMENT: it needs Docker, kind, kubectl and helm, and those
# machines have no Docker engine (written by reading; never run here). It is for a laptop or the CI
# runner (.github/workflows/ci.yaml). kind has no GPUs: the default WorkerPool runs one CPU worker
# (gpu.count 0) on the tiny random test model of the real architecture (meaningless pictures, real
# pipeline), and a small VideoJob goes to Complete. The node is the chart's minimum Kubernetes.
#
#   deploy/kind/e2e.sh            # cluster "cineweave-e2e", kept afterwards for a look around
#   deploy/kind/e2e.sh --delete   # deletes the cluster at the end
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cluster=cineweave-e2e
namespace=cineweave
team=team-a
tag=e2e
user=e2e-user
delete=false
for arg in "$@"; do
  case "$arg" in
    --delete) delete=true ;;
    *) echo "unknown argument: $arg (use --delete)" >&2; exit 2 ;;
  esac
done

for tool in docker kind kubectl helm curl; do
  command -v "$tool" >/dev/null || { echo "e2e.sh needs $tool on PATH" >&2; exit 1; }
done
step() { printf '\n=== %s\n' "$1"; }

step "kind cluster $cluster"
# The chart's minimum Kubernetes (Chart.yaml kubeVersion), so the install proves that version.
node_image=${KIND_NODE_IMAGE:-kindest/node:v1.29.14}
kind get clusters | grep -qx "$cluster" || kind create cluster --name "$cluster" --image "$node_image" --wait 120s
kubectl config use-context "kind-$cluster"
cleanup() {
  [ -n "${forward:-}" ] && kill "$forward" 2>/dev/null
  [ "$delete" = true ] && kind delete cluster --name "$cluster"
  return 0
}
trap cleanup EXIT

step "Images (tag $tag)"
for component in api:services/api gpu-worker:services/gpu-worker operator:operator web:web; do
  name=${component%%:*}; dir=${component#*:}
  docker build -f "$dir/Dockerfile" -t "ghcr.io/cineweave/$name:$tag" .
  kind load docker-image --name "$cluster" "ghcr.io/cineweave/$name:$tag"
done

step "helm install (CRDs from crds/, a CPU pool)"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
kubectl label namespace "$namespace" --overwrite pod-security.kubernetes.io/enforce=restricted
# The workers sign every video (C2PA): a test chain here, so readers report an untrusted signer.
c2pa_dir=$(mktemp -d)
node services/gpu-worker/src/content-credentials/cli/test-chain.ts --out "$c2pa_dir"
kubectl create secret tls cineweave-content-credentials -n "$namespace" \
  --cert="$c2pa_dir/chain.pem" --key="$c2pa_dir/signer.key" --dry-run=client -o yaml | kubectl apply -f -
rm -rf "$c2pa_dir"
# kind has no identity provider: the API runs the local stack's dev sign-in here, and only here.
helm upgrade --install cineweave charts/cineweave -n "$namespace" --wait --timeout 15m \
  -f charts/cineweave/ci/default-values.yaml \
  --set global.image.tag="$tag" \
  --set workers.model.source=hostPath \
  --set workers.resources.requests.cpu=1 --set workers.resources.requests.memory=2Gi \
  --set workers.resources.limits.memory=4Gi \
  --set workerPool.minReplicas=0 --set workerPool.maxReplicas=1 \
  --set workerPool.gpu.count=0 --set workerPool.nodeSelector=null \
  --set networkPolicy.enabled=false \
  --set 'api.extraEnv[0].name=AUTH_MODE' --set 'api.extraEnv[0].value=dev' \
  --set 'api.extraEnv[1].name=NODE_ENV' --set 'api.extraEnv[1].value=development'
kubectl get crd videojobs.cineweave.io workerpools.cineweave.io
kubectl get pods -n "$namespace"

step "Account for $team"
kubectl port-forward -n "$namespace" svc/cineweave-api 13000:3000 >/dev/null 2>&1 &
forward=$!
for _ in $(seq 1 30); do curl -fsS http://127.0.0.1:13000/health >/dev/null 2>&1 && break; sleep 1; done
curl -fsS -X POST -H "Authorization: Bearer dev:$user" http://127.0.0.1:13000/v1/users/init
echo
# The user's personal team pays for the namespace's VideoJobs (GET /v1/me names it).
team_id=$(curl -fsS -H "Authorization: Bearer dev:$user" http://127.0.0.1:13000/v1/me |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).team.id))')
kubectl create namespace "$team" --dry-run=client -o yaml | kubectl apply -f -
kubectl annotate namespace "$team" --overwrite "cineweave.io/team=$team_id"

step "Tiny test model into the workers' model volume, one CPU worker"
claim=$(kubectl get pvc -n "$namespace" -o name | grep -m1 models | cut -d/ -f2)
[ -n "$claim" ] || { echo "no model claim found in $namespace" >&2; exit 1; }
kubectl delete job -n "$namespace" tiny-model --ignore-not-found
sed -e "s|@TAG@|$tag|" -e "s|@CLAIM@|$claim|" deploy/kind/tiny-model-job.yaml | kubectl apply -n "$namespace" -f -
kubectl wait -n "$namespace" --for=condition=Complete job/tiny-model --timeout=15m
kubectl patch workerpool -n "$namespace" default --type merge -p '{"spec":{"minReplicas":1}}'
kubectl rollout status -n "$namespace" deployment/default-workers --timeout=10m

step "VideoJob to Complete"
kubectl apply -n "$team" -f deploy/kind/videojob-tiny.yaml
job=$(kubectl get -n "$team" -f deploy/kind/videojob-tiny.yaml -o jsonpath='{.metadata.name}')
kubectl wait -n "$team" --for=condition=Accepted "vj/$job" --timeout=5m
kubectl wait -n "$team" --for=condition=Complete "vj/$job" --timeout=30m
kubectl get vj -n "$team" -o wide
kubectl get workerpools -n "$namespace"
echo "e2e: chart installed, VideoJob $job rendered to Complete by the CPU worker on the tiny test model."
