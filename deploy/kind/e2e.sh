#!/usr/bin/env bash
# End to end on a real (kind) cluster: build the images, install the chart, submit a VideoJob.
#
# THIS CANNOT RUN IN THE PROJECT'S OWN ENVIRONMENT: it needs Docker, kind, kubectl and helm, and those
# machines have no Docker engine. It is for a laptop or CI runner with Docker. kind has no GPUs and no
# model directory, so it proves the install, the operator and admission: the example VideoJob becomes
# Accepted (credits reserved, job queued) and stays Queued with the GPU pool at zero.
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
kind get clusters | grep -qx "$cluster" || kind create cluster --name "$cluster" --wait 120s
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

step "helm install (GPU pool at zero)"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
kubectl label namespace "$namespace" --overwrite pod-security.kubernetes.io/enforce=restricted
# kind has no identity provider: the API runs the local stack's dev sign-in here, and only here.
helm upgrade --install cineweave charts/cineweave -n "$namespace" --wait --timeout 15m \
  -f charts/cineweave/ci/default-values.yaml \
  --set global.image.tag="$tag" \
  --set workers.model.source=hostPath \
  --set networkPolicy.enabled=false \
  --set 'api.extraEnv[0].name=AUTH_MODE' --set 'api.extraEnv[0].value=dev' \
  --set 'api.extraEnv[1].name=NODE_ENV' --set 'api.extraEnv[1].value=development'
kubectl get pods -n "$namespace"

step "Account for $team"
kubectl port-forward -n "$namespace" svc/cineweave-api 13000:3000 >/dev/null 2>&1 &
forward=$!
for _ in $(seq 1 30); do curl -fsS http://127.0.0.1:13000/health >/dev/null 2>&1 && break; sleep 1; done
curl -fsS -X POST -H "Authorization: Bearer dev:$user" http://127.0.0.1:13000/v1/users/init
echo
kubectl create namespace "$team" --dry-run=client -o yaml | kubectl apply -f -
kubectl annotate namespace "$team" --overwrite "cineweave.io/account=$user"

step "VideoJob"
kubectl apply -n "$team" -f deploy/examples/videojob.yaml
job=$(kubectl get -n "$team" -f deploy/examples/videojob.yaml -o jsonpath='{.metadata.name}')
kubectl wait -n "$team" --for=condition=Accepted "vj/$job" --timeout=5m
kubectl get vj -n "$team" -o wide
kubectl get workerpools -n "$namespace"
echo "e2e: chart installed, VideoJob $job accepted."
